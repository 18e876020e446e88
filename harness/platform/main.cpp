// SPDX-License-Identifier: MIT
// vtdsim-tlm-platform: the example SystemC platform (docs/systemc.md) runs a
// trace with vtdsim::tlm::iommu: the CPU's software (the replayer's
// reference driver) programs the tables through the bus, the DMA traffic
// generator sends the trace's requests upstream, and the report, CSV and
// JSON are those `vtdsim replay` gives for the same trace.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "platform.h"

namespace po = boost::program_options;

// Under LeakSanitizer (the asan build): SystemC's coroutines tell ASan of
// each stack switch, and after a thread process ends ASan can keep the
// ended coroutine's (freed, later reused) stack as the main thread's, so
// the leak check at exit scans memory that may hold another coroutine's
// guard page and dies ("Tracer caught signal 11"). Leaks are still found
// from globals, TLS and the heap; thread stacks are not taken as roots.
extern "C" const char *__lsan_default_options(void)
{
	return "use_stacks=0";
}

namespace
{

const char *usage_text =
	"usage: vtdsim-tlm-platform [options] TRACE\n"
	"Runs TRACE (a vtdsim trace, docs/trace-format.md) on a SystemC "
	"TLM-2.0\nplatform around vtdsim::tlm::iommu and prints the replay "
	"report.\nExit code: 0 all expectations hold, 1 some failed, 2 bad "
	"input or options.\n";

struct args {
	std::string trace, csv, json, metrics, config;
	std::vector<std::string> set;
	bool quiet = false;
	double quantum_ns = 1000;
	std::string lt = "wait";
	uint64_t mmio_base = 0xfed90000;
};

// 0 and a, 1 after --help, 2 after a message.
int parse(int argc, char **argv, args &a)
{
	po::options_description o("options");
	o.add_options()("help,h", "this text")(
		"quiet,q", po::bool_switch(&a.quiet), "no report")(
		"csv", po::value(&a.csv), "one row per timed request")(
		"json", po::value(&a.json), "the report as JSON")(
		"metrics", po::value(&a.metrics), "headline numbers")(
		"config", po::value(&a.config), "configuration keys (INI)")(
		"set", po::value(&a.set)->composing(),
		"KEY=VALUE, over --config and the trace")(
		"quantum", po::value(&a.quantum_ns)->default_value(1000),
		"global quantum in ns (temporal decoupling)")(
		"lt-timing", po::value(&a.lt)->default_value("wait"),
		"wait (requests overlap, the replayer's latencies) or annotate "
		"(each timed alone, the delay annotated)")(
		"mmio-base",
		po::value<std::string>()->default_value("0xfed90000"),
		"the register file's address on the CPU's bus");
	po::options_description hidden;
	hidden.add_options()("trace", po::value(&a.trace));
	po::options_description all;
	all.add(o).add(hidden);
	po::positional_options_description pos;
	pos.add("trace", 1);
	po::variables_map vm;

	try {
		po::store(po::command_line_parser(argc, argv)
				  .options(all)
				  .positional(pos)
				  .run(),
			  vm);
		po::notify(vm);
		a.mmio_base = std::stoull(vm["mmio-base"].as<std::string>(),
					  nullptr, 0);
	} catch (const std::exception &e) {
		std::cerr << "vtdsim-tlm-platform: " << e.what() << "\n"
			  << usage_text;
		return 2;
	}
	if (vm.count("help")) {
		std::cout << usage_text << o;
		return 1;
	}
	const char *bad = a.trace.empty()     ? "a trace file is needed"
			  : a.quantum_ns <= 0 ? "--quantum must be > 0"
			  : a.mmio_base & 0xfff
				  ? "--mmio-base must be 4 KiB aligned"
			  : a.lt != "wait" && a.lt != "annotate"
				  ? "--lt-timing is wait or annotate"
				  : nullptr;
	if (bad) {
		std::cerr << "vtdsim-tlm-platform: " << bad << "\n"
			  << usage_text;
		return 2;
	}
	return 0;
}

const char *opt_str(const std::string &s)
{
	return s.empty() ? nullptr : s.c_str();
}

} // namespace

int sc_main(int argc, char **argv)
{
	args a;
	int rc = parse(argc, argv, a);
	std::vector<const char *> sets;
	struct replay_options opt = {};
	struct vtd_config cfg;
	uint64_t mem_size = 0;

	if (rc)
		return rc == 1 ? 0 : rc;
	for (const auto &s : a.set)
		sets.push_back(s.c_str());
	opt.quiet = a.quiet;
	opt.csv_path = opt_str(a.csv);
	opt.json_path = opt_str(a.json);
	opt.metrics_path = opt_str(a.metrics);
	opt.config_path = opt_str(a.config);
	opt.nset = (unsigned int)sets.size();
	opt.set = sets.data();
	opt.window_t1_ns = UINT64_MAX;
	if (replay_resolve_config(a.trace.c_str(), &opt, &cfg, &mem_size))
		return REPLAY_MALFORMED;
	sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated",
						sc_core::SC_DO_NOTHING);
	::tlm::tlm_global_quantum::instance().set(
		sc_core::sc_time(a.quantum_ns, sc_core::SC_NS));
	vtdsim::platform::top p(a.trace, opt, cfg, mem_size, a.mmio_base,
				a.lt == "wait"
					? vtdsim::tlm::lt_timing::wait
					: vtdsim::tlm::lt_timing::annotate);
	sc_core::sc_start();
	return p.core.exit_code;
}
