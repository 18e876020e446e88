// SPDX-License-Identifier: MIT
// vtdsim::tlm::iommu's sockets (docs/systemc.md): the register file through
// MMIO, a device's DMA through the upstream socket translated, timed and
// carried to memory, a blocked request's fault and its interrupt message.
//
// SystemC elaborates once per process: each test builds its own platform,
// and CTest runs each test in a process of its own (gtest_discover_tests).
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

extern "C" {
#include <vtdsim/vtd_prq.h>
}

#include "cli_util.h"
#include "vtdsim/tlm.h"

extern "C" {
#include "refdrv.h"
#include "sparse_mem.h"
#include "trace_reader.h"
#include <vtdsim/vtd_regs.h>
}

namespace
{

using sc_core::sc_time;
using ::tlm::tlm_generic_payload;

// Platform memory over the replayer's sparse memory.
struct memory : sc_core::sc_module {
	tlm_utils::simple_target_socket<memory> socket;
	struct sparse_mem *m;

	explicit memory(sc_core::sc_module_name n)
	    : sc_module(n), socket("socket"),
	      m(sparse_mem_create(SPARSE_MEM_DEFAULT_SIZE))
	{
		socket.register_b_transport(this, &memory::b_transport);
		socket.register_get_direct_mem_ptr(this, &memory::get_dmi);
	}
	// DMI of the one page holding the address
	bool get_dmi(tlm_generic_payload &t, ::tlm::tlm_dmi &dmi)
	{
		uint64_t base = t.get_address() & ~0xfffull;
		uint8_t *p = sparse_mem_page(m, base);

		if (!p)
			return false;
		dmi.set_dmi_ptr(p);
		dmi.set_start_address(base);
		dmi.set_end_address(base + 0xfff);
		dmi.allow_read_write();
		return true;
	}
	~memory() override
	{
		sparse_mem_destroy(m);
	}
	void b_transport(tlm_generic_payload &t, sc_time &)
	{
		int rc = t.is_read() ? sparse_mem_read(m, t.get_address(),
						       t.get_data_ptr(),
						       t.get_data_length())
				     : sparse_mem_write(m, t.get_address(),
							t.get_data_ptr(),
							t.get_data_length());
		t.set_response_status(rc ? ::tlm::TLM_ADDRESS_ERROR_RESPONSE
					 : ::tlm::TLM_OK_RESPONSE);
	}
};

// Where interrupt messages go: each (address, data) kept.
struct msi_sink : sc_core::sc_module {
	tlm_utils::simple_target_socket<msi_sink> socket;
	std::vector<std::pair<uint64_t, uint32_t>> got;

	explicit msi_sink(sc_core::sc_module_name n)
	    : sc_module(n), socket("socket")
	{
		socket.register_b_transport(this, &msi_sink::b_transport);
	}
	void b_transport(tlm_generic_payload &t, sc_time &)
	{
		uint32_t d = 0;

		std::memcpy(&d, t.get_data_ptr(), 4);
		got.emplace_back(t.get_address(), d);
		t.set_response_status(::tlm::TLM_OK_RESPONSE);
	}
};

// A function the platform models itself: the unit's messages to it kept;
// invalidations completed after delay when complete is set.
struct endpoint_dev : sc_core::sc_module {
	tlm_utils::simple_target_socket<endpoint_dev> socket;
	std::vector<struct vtd_ep_message> got;
	std::vector<uint64_t> addrs;
	bool complete = true;
	sc_time delay = sc_time(100, sc_core::SC_NS);

	explicit endpoint_dev(sc_core::sc_module_name n)
	    : sc_module(n), socket("socket")
	{
		socket.register_b_transport(this, &endpoint_dev::b_transport);
	}
	void b_transport(tlm_generic_payload &t, sc_time &d)
	{
		vtdsim::tlm::endpoint_msg_ext *x = nullptr;

		t.get_extension(x);
		if (!x) {
			t.set_response_status(
				::tlm::TLM_GENERIC_ERROR_RESPONSE);
			return;
		}
		got.push_back(x->msg);
		addrs.push_back(t.get_address());
		if (x->msg.type == VTD_EP_MSG_DEVTLB_INV && complete) {
			x->completed = true;
			d += delay;
		}
		t.set_response_status(::tlm::TLM_OK_RESPONSE);
	}
};

// A device's side of the IOMMU's target sockets. Backward calls (AT) are
// logged; BEGIN_RESP is taken at once (TLM_COMPLETED) unless hold is set,
// then left for the test to end.
struct host : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<host> mmio, dma;
	struct bw_call {
		tlm_generic_payload *t;
		::tlm::tlm_phase ph;
		sc_time at;
	};
	std::vector<bw_call> bw;
	bool hold = false;
	std::vector<std::pair<uint64_t, uint64_t>> dmi_ended;

	explicit host(sc_core::sc_module_name n)
	    : sc_module(n), mmio("mmio"), dma("dma")
	{
		dma.register_nb_transport_bw(this, &host::nb_bw);
		dma.register_invalidate_direct_mem_ptr(this, &host::dmi_end);
	}
	void dmi_end(sc_dt::uint64 start, sc_dt::uint64 end)
	{
		dmi_ended.emplace_back(start, end);
	}
	::tlm::tlm_sync_enum nb_bw(tlm_generic_payload &t, ::tlm::tlm_phase &ph,
				   sc_time &d)
	{
		bw.push_back({&t, ph, sc_core::sc_time_stamp() + d});
		if (ph == ::tlm::BEGIN_RESP && !hold)
			return ::tlm::TLM_COMPLETED;
		return ::tlm::TLM_ACCEPTED;
	}
};

struct platform {
	std::unique_ptr<memory> mem;
	std::unique_ptr<msi_sink> msi;
	std::unique_ptr<host> dev;
	std::unique_ptr<vtdsim::tlm::iommu> unit;
	std::unique_ptr<endpoint_dev> ep;
	struct refdrv *drv = nullptr;

	platform() : platform(defaults())
	{
	}
	static struct vtd_config defaults()
	{
		struct vtd_config cfg;

		vtd_config_init(&cfg);
		return cfg;
	}
	explicit platform(const struct vtd_config &cfg)
	{
		mem = std::make_unique<memory>("mem");
		msi = std::make_unique<msi_sink>("msi");
		dev = std::make_unique<host>("dev");
		unit = std::make_unique<vtdsim::tlm::iommu>("iommu", cfg);
		unit->memory.bind(mem->socket);
		unit->msi.bind(msi->socket);
		ep = std::make_unique<endpoint_dev>("ep");
		unit->endpoints.bind(ep->socket);
		dev->mmio.bind(unit->mmio);
		dev->dma.bind(unit->upstream);
		sc_core::sc_start(sc_core::SC_ZERO_TIME); // elaborated
		drv = refdrv_create(unit->model(), mem->m,
				    REFDRV_DEFAULT_ALLOC_BASE);
		// software's register accesses through the MMIO socket
		struct refdrv_bus bus = software_bus();
		refdrv_set_bus(drv, &bus);
	}
	struct refdrv_bus software_bus()
	{
		struct refdrv_bus b = {};

		b.read = [](void *o, uint64_t pa, void *buf, size_t len) {
			return sparse_mem_read(
				static_cast<platform *>(o)->mem->m, pa, buf,
				len);
		};
		b.write = [](void *o, uint64_t pa, const void *buf,
			     size_t len) {
			return sparse_mem_write(
				static_cast<platform *>(o)->mem->m, pa, buf,
				len);
		};
		b.reg_read = [](void *o, uint32_t off, unsigned int size) {
			uint64_t v = 0;
			static_cast<platform *>(o)->reg(false, off, size, v);
			return v;
		};
		b.reg_write = [](void *o, uint32_t off, unsigned int size,
				 uint64_t val) {
			static_cast<platform *>(o)->reg(true, off, size, val);
		};
		b.opaque = this;
		return b;
	}
	~platform()
	{
		refdrv_destroy(drv);
	}

	// The reference driver carries out records: the first result that is
	// not REFDRV_OK, or REFDRV_OK.
	int run(const std::string &text)
	{
		FILE *in = fmemopen((void *)text.data(), text.size(), "r");
		struct trace_reader *rd = trace_reader_open(in, "run");
		struct trace_record rec;
		int rc = REFDRV_OK;

		while (rc == REFDRV_OK && trace_reader_next(rd, &rec) > 0)
			rc = refdrv_exec(drv, &rec);
		trace_reader_close(rd);
		fclose(in);
		return rc;
	}

	// The reference driver carries out a trace's high-level records.
	void setup(const std::string &text)
	{
		FILE *in = fmemopen((void *)text.data(), text.size(), "r");
		struct trace_reader *rd = trace_reader_open(in, "setup");
		struct trace_record rec;

		ASSERT_NE(rd, nullptr);
		while (trace_reader_next(rd, &rec) > 0)
			ASSERT_EQ(refdrv_exec(drv, &rec), REFDRV_OK)
				<< refdrv_error(drv);
		trace_reader_close(rd);
		fclose(in);
	}

	// One MMIO access of len bytes; the response status.
	::tlm::tlm_response_status reg(bool write, uint64_t off,
				       unsigned int len, uint64_t &val,
				       unsigned char *be = nullptr)
	{
		tlm_generic_payload t;
		sc_time d = sc_core::SC_ZERO_TIME;

		t.set_command(write ? ::tlm::TLM_WRITE_COMMAND
				    : ::tlm::TLM_READ_COMMAND);
		t.set_address(off);
		t.set_data_ptr(reinterpret_cast<unsigned char *>(&val));
		t.set_data_length(len);
		t.set_streaming_width(len);
		t.set_byte_enable_ptr(be);
		t.set_byte_enable_length(be ? len : 0);
		dev->mmio->b_transport(t, d);
		return t.get_response_status();
	}

	// A device's untranslated request: status, the unit's answer in x,
	// the delay it annotated.
	::tlm::tlm_response_status dma(bool write, uint64_t iova,
				       std::vector<unsigned char> &buf,
				       vtdsim::tlm::request_ext &x, sc_time &d)
	{
		tlm_generic_payload t;

		t.set_command(write ? ::tlm::TLM_WRITE_COMMAND
				    : ::tlm::TLM_READ_COMMAND);
		t.set_address(iova);
		t.set_data_ptr(buf.data());
		t.set_data_length((unsigned int)buf.size());
		t.set_streaming_width((unsigned int)buf.size());
		t.set_byte_enable_ptr(nullptr);
		t.set_extension(&x);
		dev->dma->b_transport(t, d);
		t.clear_extension(&x);
		return t.get_response_status();
	}
};

const char *legacy_setup = "iommu.init mode=legacy\n"
			   "domain buf type=sl levels=4\n"
			   "map buf 0x100000000 0x4000000000 0x10000 page=4k\n"
			   "attach 00:02.0 buf\n";

} // namespace

TEST(Tlm, MmioReadsAndWritesTheRegisterFileAndRefusesOtherAccesses)
{
	platform p;
	uint64_t v = 0;
	unsigned char be[4] = {0xff, 0xff, 0, 0};

	EXPECT_EQ(p.reg(false, VTD_REG_VER, 4, v), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(v, vtd_reg_read(p.unit->model(), VTD_REG_VER, 4));
	EXPECT_NE(v, 0u);
	v = 0;
	EXPECT_EQ(p.reg(false, VTD_REG_CAP, 8, v), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(v, vtd_reg_read(p.unit->model(), VTD_REG_CAP, 8));
	v = 0x12345678;
	EXPECT_EQ(p.reg(true, VTD_REG_FEDATA, 4, v), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(vtd_reg_read(p.unit->model(), VTD_REG_FEDATA, 4) & 0xffff,
		  0x5678u);
	// byte enables, a 2-byte access, an 8-byte access not 8-aligned
	EXPECT_EQ(p.reg(false, VTD_REG_VER, 4, v, be),
		  ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
	EXPECT_EQ(p.reg(false, VTD_REG_VER, 2, v),
		  ::tlm::TLM_BURST_ERROR_RESPONSE);
	EXPECT_EQ(p.reg(false, VTD_REG_FSTS + 0, 8, v),
		  ::tlm::TLM_BURST_ERROR_RESPONSE);
}

// The same request replayed by `vtdsim replay` from the same set-up takes
// the same time: the LT delay is the timing model's latency.
TEST(Tlm, AnUntranslatedWriteIsTranslatedCarriedToMemoryAndTimed)
{
	platform p;
	std::vector<unsigned char> buf(64);
	vtdsim::tlm::request_ext x;
	sc_time d = sc_core::SC_ZERO_TIME;
	uint8_t back[64];

	p.setup(legacy_setup);
	for (size_t i = 0; i < buf.size(); i++)
		buf[i] = (unsigned char)(0xa0 + i);
	x.rid = 0x10; // 00:02.0
	EXPECT_EQ(p.dma(true, 0x100003040, buf, x, d), ::tlm::TLM_OK_RESPONSE);
	EXPECT_TRUE(x.ok);
	ASSERT_EQ(sparse_mem_read(p.mem->m, 0x4000003040, back, sizeof(back)),
		  0);
	EXPECT_EQ(std::memcmp(back, buf.data(), sizeof(back)), 0);
	EXPECT_GT(x.latency_ps, 0u);
	EXPECT_EQ(d, sc_time((double)x.latency_ps, sc_core::SC_PS));

	// the replayer, the same set-up and request at the same time
	std::string t = cli::tmp("one.trace"), csv = cli::tmp("one.csv");
	cli::spit(t,
		  std::string(legacy_setup) + "dma 00:02.0 0x100003040 64 w\n");
	cli::Cmd c = cli::vtdsim("replay --quiet --no-progress --csv " + csv +
				 " " + t);
	ASSERT_EQ(c.rc, 0) << c.out;
	std::string rows = cli::slurp(csv);
	size_t line2 = rows.find('\n') + 1;
	std::string row = rows.substr(line2, rows.find('\n', line2) - line2);
	// latency_ns is the 10th column
	size_t at = 0;
	for (int i = 0; i < 9; i++)
		at = row.find(',', at) + 1;
	double ns = std::stod(row.substr(at, row.find(',', at) - at));
	EXPECT_NEAR((double)x.latency_ps / 1000.0, ns, 0.0005) << row;
	std::remove(t.c_str());
	std::remove(csv.c_str());
}

// A request across pages: each page's part goes where that page is mapped;
// longer than the component takes (16 pages): a burst error, untouched.
TEST(Tlm, ARequestAcrossPagesGoesWhereEachPageIsMapped)
{
	platform p;
	std::vector<unsigned char> buf(4096),
		big((vtdsim::tlm::iommu::max_pages + 1) * 4096);
	vtdsim::tlm::request_ext x;
	sc_time d = sc_core::SC_ZERO_TIME;
	uint8_t back[2048];

	p.setup("iommu.init mode=legacy\n"
		"domain buf type=sl levels=4\n"
		"map buf 0x100000000 0x4000000000 0x1000 page=4k\n"
		"map buf 0x100001000 0x5000000000 0x1000 page=4k\n"
		"attach 00:02.0 buf\n");
	for (size_t i = 0; i < buf.size(); i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	x.rid = 0x10;
	EXPECT_EQ(p.dma(true, 0x100000800, buf, x, d), ::tlm::TLM_OK_RESPONSE);
	ASSERT_EQ(sparse_mem_read(p.mem->m, 0x4000000800, back, 2048), 0);
	EXPECT_EQ(std::memcmp(back, buf.data(), 2048), 0);
	ASSERT_EQ(sparse_mem_read(p.mem->m, 0x5000000000, back, 2048), 0);
	EXPECT_EQ(std::memcmp(back, buf.data() + 2048, 2048), 0);
	// longer than max_pages: translated page by page until the first
	// page not mapped, which blocks the request
	EXPECT_EQ(p.dma(true, 0x100000000, big, x, d),
		  ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
	EXPECT_FALSE(x.ok);
	EXPECT_EQ(x.fault, 0x05u); // legacy: second-level entry not present
	EXPECT_EQ(x.fault_addr, 0x100002000u);
}

TEST(Tlm, ABlockedRequestIsAnAddressErrorWithItsFaultAndInterrupt)
{
	platform p;
	std::vector<unsigned char> buf(8);
	vtdsim::tlm::request_ext x;
	sc_time d = sc_core::SC_ZERO_TIME;
	uint64_t v;

	p.setup(legacy_setup);
	v = 0xfee00000;
	ASSERT_EQ(p.reg(true, VTD_REG_FEADDR, 4, v), ::tlm::TLM_OK_RESPONSE);
	v = 0x41;
	ASSERT_EQ(p.reg(true, VTD_REG_FEDATA, 4, v), ::tlm::TLM_OK_RESPONSE);
	v = 0; // IM clear: the fault event is a message
	ASSERT_EQ(p.reg(true, VTD_REG_FECTL, 4, v), ::tlm::TLM_OK_RESPONSE);
	x.rid = 0x10;
	// beyond the 64 KiB mapped: not present, a read
	EXPECT_EQ(p.dma(false, 0x100020000, buf, x, d),
		  ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
	EXPECT_FALSE(x.ok);
	EXPECT_EQ(x.fault, 0x06); // legacy: read of a not-present entry
	v = 0;
	ASSERT_EQ(p.reg(false, VTD_REG_FSTS, 4, v), ::tlm::TLM_OK_RESPONSE);
	EXPECT_TRUE(v & VTD_FSTS_PPF);
	ASSERT_EQ(p.msi->got.size(), 1u);
	EXPECT_EQ(p.msi->got[0].first, 0xfee00000u);
	EXPECT_EQ(p.msi->got[0].second, 0x41u);
}

const char *sva_setup = "iommu.init mode=scalable qi=on dw=256\n"
			"domain proc type=fl levels=4\n"
			"map proc 0x7f0000001000 0x80001000 0x1000 user\n"
			"map proc 0x7f0000200000 0xa0000000 0x200000 page=2m "
			"user\n"
			"attach 00:05.0 proc pasid=5 dte sre ere\n"
			"attach 00:06.0 proc pasid=5\n"; // DTE clear

// A translation request's completion comes back in the extension (the same
// as the conformance trace ats_completions.trace expects of the model), its
// PCIe data entry in the payload; without DTE it is UR; a translated
// request is carried to memory as it is, or refused without DTE.
TEST(Tlm, TranslationRequestsAndTranslatedRequests)
{
	platform p;
	std::vector<unsigned char> buf(8), data(8, 0x5a);
	vtdsim::tlm::request_ext x;
	sc_time d = sc_core::SC_ZERO_TIME;
	uint8_t back[8];

	p.setup(sva_setup);
	x.rid = 0x28; // 00:05.0
	x.has_pasid = true;
	x.pasid = 5;
	x.at = vtdsim::tlm::address_type::translation_request;
	EXPECT_EQ(p.dma(false, 0x7f0000001000, buf, x, d),
		  ::tlm::TLM_OK_RESPONSE);
	EXPECT_TRUE(x.ok);
	EXPECT_EQ(x.translated, 0x80001000u);
	EXPECT_EQ(x.size, 0x1000u);
	EXPECT_FALSE(x.s);
	EXPECT_TRUE(x.r);
	EXPECT_FALSE(x.w); // a read asks no write permission
	uint64_t entry = 0;
	std::memcpy(&entry, buf.data(), 8);
	EXPECT_EQ(entry & ~0xfffull, 0x80001000u) << std::hex << entry;
	// a 2 MiB page: S
	EXPECT_EQ(p.dma(true, 0x7f0000234000, buf, x, d),
		  ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(x.translated, 0xa0000000u);
	EXPECT_EQ(x.size, 0x200000u);
	EXPECT_TRUE(x.s);
	EXPECT_TRUE(x.w);
	// the translated request: to memory at the translated address
	x.at = vtdsim::tlm::address_type::translated;
	EXPECT_EQ(p.dma(true, 0x80001040, data, x, d), ::tlm::TLM_OK_RESPONSE);
	ASSERT_EQ(sparse_mem_read(p.mem->m, 0x80001040, back, 8), 0);
	EXPECT_EQ(std::memcmp(back, data.data(), 8), 0);
	// 00:06.0 has no device-TLB: UR (44h), and translated requests refused
	x.rid = 0x30;
	x.at = vtdsim::tlm::address_type::translation_request;
	EXPECT_EQ(p.dma(false, 0x7f0000001000, buf, x, d),
		  ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
	EXPECT_EQ(x.ats, VTD_ATS_UR);
	EXPECT_EQ(x.fault, 0x44);
	x.at = vtdsim::tlm::address_type::translated;
	EXPECT_EQ(p.dma(false, 0x80001040, data, x, d),
		  ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
	EXPECT_FALSE(x.ok);
}

TEST(Tlm, AnUpstreamRequestWithoutItsExtensionIsAnError)
{
	platform p;
	tlm_generic_payload t;
	sc_time d = sc_core::SC_ZERO_TIME;
	unsigned char b[4] = {};

	t.set_command(::tlm::TLM_READ_COMMAND);
	t.set_address(0x1000);
	t.set_data_ptr(b);
	t.set_data_length(4);
	t.set_streaming_width(4);
	t.set_byte_enable_ptr(nullptr);
	p.dev->dma->b_transport(t, d);
	EXPECT_EQ(t.get_response_status(), ::tlm::TLM_GENERIC_ERROR_RESPONSE);
}

// Approximately timed: with timing.slots = 2, two requests are admitted at
// once (END_REQ on the forward return), the third is held until a slot is
// given back by a response; responses go one at a time, the next only
// after END_RESP; each carries the timing model's latency and its data.
TEST(Tlm, ApproximatelyTimedRequestsAreHeldWhileTheSlotsAreTaken)
{
	struct vtd_config cfg = platform::defaults();
	cfg.timing.slots = 2;
	platform p(cfg);
	tlm_generic_payload t[3];
	vtdsim::tlm::request_ext x[3];
	unsigned char buf[3][64];
	uint8_t pattern[64];

	p.setup(legacy_setup);
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(0x30 + i);
	ASSERT_EQ(sparse_mem_write(p.mem->m, 0x4000002000, pattern, 64), 0);
	p.dev->hold = true;
	for (int i = 0; i < 3; i++) {
		::tlm::tlm_phase ph = ::tlm::BEGIN_REQ;
		sc_time d = sc_core::SC_ZERO_TIME;

		t[i].set_command(::tlm::TLM_READ_COMMAND);
		t[i].set_address(0x100000000 + 0x1000 * (uint64_t)i);
		t[i].set_data_ptr(buf[i]);
		t[i].set_data_length(64);
		t[i].set_streaming_width(64);
		t[i].set_byte_enable_ptr(nullptr);
		t[i].set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
		x[i].rid = 0x10;
		t[i].set_extension(&x[i]);
		::tlm::tlm_sync_enum s =
			p.dev->dma->nb_transport_fw(t[i], ph, d);
		if (i < 2) {
			EXPECT_EQ(s, ::tlm::TLM_UPDATED) << i;
			EXPECT_EQ(ph, ::tlm::END_REQ) << i;
			EXPECT_TRUE(x[i].ok) << i; // decided when admitted
		} else {
			EXPECT_EQ(s, ::tlm::TLM_ACCEPTED); // held: no END_REQ
		}
	}
	EXPECT_FALSE(x[2].ok);
	sc_core::sc_start(sc_time(100, sc_core::SC_US));
	// one response (held by the device), the third admitted when the
	// first completed and gave its slot back
	ASSERT_EQ(p.dev->bw.size(), 2u);
	EXPECT_EQ(p.dev->bw[0].ph, ::tlm::BEGIN_RESP);
	EXPECT_EQ(p.dev->bw[1].ph, ::tlm::END_REQ);
	EXPECT_EQ(p.dev->bw[1].t, &t[2]);
	EXPECT_EQ(p.dev->bw[1].at, p.dev->bw[0].at);
	EXPECT_TRUE(x[2].ok);
	tlm_generic_payload *first = p.dev->bw[0].t;
	EXPECT_TRUE(first == &t[0] || first == &t[1]);
	EXPECT_EQ(first->get_response_status(), ::tlm::TLM_OK_RESPONSE);
	// the response comes when the timing model completes it (the unit's
	// clock counts ns: within a few ns after)
	{
		vtdsim::tlm::request_ext *fx = nullptr;
		first->get_extension(fx);
		ASSERT_NE(fx, nullptr);
		EXPECT_GT(fx->latency_ps, 0u);
		EXPECT_LE(sc_time((double)fx->latency_ps, sc_core::SC_PS),
			  p.dev->bw[0].at);
		EXPECT_GT(
			sc_time((double)fx->latency_ps + 5000, sc_core::SC_PS),
			p.dev->bw[0].at);
	}
	// END_RESP lets the other two responses come
	p.dev->hold = false;
	{
		::tlm::tlm_phase ph = ::tlm::END_RESP;
		sc_time d = sc_core::SC_ZERO_TIME;
		EXPECT_EQ(p.dev->dma->nb_transport_fw(*first, ph, d),
			  ::tlm::TLM_COMPLETED);
	}
	sc_core::sc_start(sc_time(100, sc_core::SC_US));
	ASSERT_EQ(p.dev->bw.size(), 4u);
	EXPECT_EQ(p.dev->bw[2].ph, ::tlm::BEGIN_RESP);
	EXPECT_EQ(p.dev->bw[3].ph, ::tlm::BEGIN_RESP);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(t[i].get_response_status(), ::tlm::TLM_OK_RESPONSE);
		EXPECT_GT(x[i].latency_ps, 0u);
		t[i].clear_extension(&x[i]);
	}
	EXPECT_EQ(std::memcmp(buf[2], pattern, 64), 0); // the data read
}

// DMI: granted for a pass-through requester (the memory's region, output =
// input), refused for a translated one; a context-cache invalidation
// (software detaching the device) ends it through
// invalidate_direct_mem_ptr.
TEST(Tlm, DmiIsGrantedOverPassThroughAndEndsWithTheInvalidation)
{
	platform p;
	vtdsim::tlm::request_ext x;
	tlm_generic_payload t;
	::tlm::tlm_dmi dmi;
	std::vector<unsigned char> buf(8);
	sc_time d = sc_core::SC_ZERO_TIME;
	uint64_t v = 0;

	p.setup("iommu.init mode=legacy\n"
		"attach 00:04.0 tt=pt\n"
		"domain gpu type=sl\n"
		"map gpu 0x1000 0x5000000 0x1000\n"
		"attach 00:05.0 gpu\n");
	// a pass-through response says DMI may be asked for
	x.rid = 0x20; // 00:04.0
	EXPECT_EQ(p.dma(false, 0x3000040, buf, x, d), ::tlm::TLM_OK_RESPONSE);
	t.set_command(::tlm::TLM_READ_COMMAND);
	t.set_address(0x3000040);
	t.set_extension(&x);
	ASSERT_TRUE(p.dev->dma->get_direct_mem_ptr(t, dmi));
	EXPECT_EQ(dmi.get_start_address(), 0x3000000u);
	EXPECT_EQ(dmi.get_end_address(), 0x3000fffu);
	ASSERT_NE(dmi.get_dmi_ptr(), nullptr);
	dmi.get_dmi_ptr()[0x40] = 0x5a; // a store through the pointer
	uint8_t back = 0;
	ASSERT_EQ(sparse_mem_read(p.mem->m, 0x3000040, &back, 1), 0);
	EXPECT_EQ(back, 0x5a);
	// translated through a second-level table: no DMI
	x.rid = 0x28; // 00:05.0
	t.set_address(0x1000);
	EXPECT_FALSE(p.dev->dma->get_direct_mem_ptr(t, dmi));
	t.clear_extension(&x);
	// no invalidation yet: the grant stands (an MMIO read changes nothing)
	EXPECT_EQ(p.reg(false, VTD_REG_GSTS, 4, v), ::tlm::TLM_OK_RESPONSE);
	EXPECT_TRUE(p.dev->dmi_ended.empty());
	// software detaches 00:04.0: context entry cleared, CCMD invalidation
	p.setup("detach 00:04.0\n");
	ASSERT_EQ(p.dev->dmi_ended.size(), 1u);
	EXPECT_EQ(p.dev->dmi_ended[0].first, 0x3000000u);
	EXPECT_EQ(p.dev->dmi_ended[0].second, 0x3000fffu);
}

// A function the platform models itself (no endpoint model in the unit):
// a device-TLB invalidation request goes out on endpoints as a message and
// completes when the function says (the invalidation wait then done; never
// if it stays silent); its page request comes upstream into the queue as
// sent, and the page group response goes out on endpoints with its index
// and code.
TEST(Tlm, PageRequestsGoUpstreamInvalidationsAndResponsesToEndpoints)
{
	platform p;
	uint64_t v = 0;

	p.setup("iommu.init mode=scalable qi=on dw=256\n"
		"prq.init qs=0\n"
		"domain proc type=fl levels=4\n"
		"map proc 0x7f0000001000 0x80001000 0x1000 user\n"
		"attach 00:06.0 proc pasid=5 pre dte\n"
		"inv.devtlb 00:06.0 pasid=5 addr=0x7f0000001000\n");
	ASSERT_EQ(p.ep->got.size(), 1u);
	const struct vtd_ep_message &m = p.ep->got[0];
	EXPECT_EQ(m.type, VTD_EP_MSG_DEVTLB_INV);
	EXPECT_EQ(p.ep->addrs[0], 0x30u); // to the function's requester ID
	EXPECT_EQ(m.sid, 0x30);
	EXPECT_TRUE(m.has_pasid);
	EXPECT_EQ(m.pasid, 5u);
	EXPECT_EQ(m.addr, 0x7f0000001000u);
	EXPECT_EQ(m.size, 0x1000u);
	// the driver's wait ended when the function completed it, 100 ns on
	p.setup("inv.status expect=done\n");
	EXPECT_GE(vtd_now(p.unit->model()), 100u);
	EXPECT_EQ(p.reg(false, VTD_REG_FSTS, 4, v), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(v & VTD_FSTS_ITE, 0u);
	// a function that never completes it: the driver's wait does not end
	p.ep->complete = false;
	EXPECT_EQ(p.run("inv.devtlb 00:06.0 pasid=5 addr=0x7f0000001000\n"),
		  REFDRV_FAIL);
	EXPECT_EQ(p.ep->got.size(), 2u);
	p.ep->got.clear();

	// the function asks for a page over upstream; software answers
	// Success and the response goes back on endpoints
	std::vector<unsigned char> none(4);
	vtdsim::tlm::request_ext x;
	sc_time d = sc_core::SC_ZERO_TIME;
	x.rid = 0x30;
	x.has_pasid = true;
	x.pasid = 5;
	x.at = vtdsim::tlm::address_type::page_request;
	x.prgi = 3;
	x.lpig = true;
	EXPECT_EQ(p.dma(true, 0x7f0000005123, none, x, d),
		  ::tlm::TLM_OK_RESPONSE);
	// in the queue as the device sent it
	uint64_t pqh = 0, pqt = 0, pqa = 0, prs = 0, q[2] = {};
	EXPECT_EQ(p.reg(false, VTD_REG_PQH, 8, pqh), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(p.reg(false, VTD_REG_PQT, 8, pqt), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(p.reg(false, VTD_REG_PQA, 8, pqa), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(p.reg(false, VTD_REG_PRS, 4, prs), ::tlm::TLM_OK_RESPONSE);
	EXPECT_EQ(pqt - pqh, (uint64_t)VTD_PRQ_DESC_SIZE);
	EXPECT_TRUE(prs & VTD_PRS_PPR);
	ASSERT_EQ(sparse_mem_read(p.mem->m, (pqa & VTD_PQA_PQA_MASK) + pqh, q,
				  sizeof(q)),
		  0);
	EXPECT_EQ(VTD_PRQ0_RID(q[0]), 0x30u);
	EXPECT_EQ(VTD_PRQ0_PASID(q[0]), 5u);
	EXPECT_EQ(q[1] & VTD_PRQ1_ADDR_MASK, 0x7f0000005000u);
	EXPECT_EQ(q[1] & (VTD_PRQ1_RD | VTD_PRQ1_WR), VTD_PRQ1_WR);
	EXPECT_EQ(VTD_PRQ1_PRGI(q[1]), 3u);
	EXPECT_TRUE(q[1] & VTD_PRQ1_LPIG);
	p.setup("prq.respond success\n");
	sc_core::sc_start(sc_time(10, sc_core::SC_US));
	ASSERT_EQ(p.ep->got.size(), 1u);
	EXPECT_EQ(p.ep->got[0].type, VTD_EP_MSG_PAGE_RESPONSE);
	EXPECT_EQ(p.ep->got[0].sid, 0x30);
	EXPECT_EQ(p.ep->got[0].prgi, 3);
	EXPECT_EQ(p.ep->got[0].code, 0); // Success
	EXPECT_EQ(p.ep->got[0].pasid, 5u);
}

// As in vtdsim-tlm-platform (harness/platform/main.cpp): SystemC's
// coroutine stack switches leave LeakSanitizer's idea of the main stack
// stale at exit; thread stacks are not taken as roots.
extern "C" const char *__lsan_default_options(void)
{
	return "use_stacks=0";
}

int sc_main(int argc, char *argv[])
{
	testing::InitGoogleTest(&argc, argv);
	return RUN_ALL_TESTS();
}
