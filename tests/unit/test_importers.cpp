// SPDX-License-Identifier: MIT
// `vtdsim import ftrace|qemu` (docs/importers.md): each shipped sample
// imports and replays; the ftrace importer reads Linux 6.12's event formats
// (checked against the kernel tree the driver harness extracts) and turns
// traced descriptors into the trace's invalidations, so a kernel that
// leaves one out fails the replay; the QEMU importer turns a many-tenant
// vtd_* log (HyperSIO's input) into tables and requests; malformed input
// is FILE:LINE and exit 2 with no output file.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli_util.h"

using cli::Cmd;
using cli::count;
using cli::exists;
using cli::slurp;
using cli::spit;
using cli::vtdsim;

namespace
{

std::string data(const char *name)
{
	return std::string(VTDSIM_SOURCE_DIR) + "/tests/data/imported/" + name;
}

// import, then replay: the replay's exit code and output
Cmd import_replay(const std::string &kind, const std::string &in,
		  std::string *trace = nullptr)
{
	std::string out = cli::tmp("imported.trace");
	Cmd i = vtdsim("import " + kind + " " + in + " -o " + out);
	EXPECT_EQ(i.rc, 0) << i.out;
	if (trace)
		*trace = slurp(out);
	Cmd r = vtdsim("replay --no-progress " + out);
	unlink(out.c_str());
	return r;
}

// A QEMU -trace 'vtd_*' log (log backend, timestamps on) of n tenants,
// each a device with its own domain, their translations interleaved.
std::string tenants_log(int n, int rounds)
{
	std::string s;
	char l[256];
	for (int t = 0; t < n; t++) {
		// legacy context entry: present, SLPTPTR; DID t+1, AW 1
		snprintf(l, sizeof(l),
			 "1234@1700000000.%06d:vtd_iotlb_cc_update IOTLB "
			 "context update bus 0x1 devfn 0x%x high 0x%x low "
			 "0x%x gen 0 -> gen 1\n",
			 t, t, (t + 1) << 8 | 1, 0x1000000 | 1);
		s += l;
	}
	for (int r = 0; r < rounds; r++)
		for (int t = 0; t < n; t++) {
			unsigned long iova = 0x10000 + (r % 4) * 0x1000 + 0x40;
			unsigned long pa = 0x40000000ul + t * 0x100000ul +
					   (r % 4) * 0x1000 + 3; // R|W
			snprintf(l, sizeof(l),
				 "1234@1700000001.%06d:%s IOTLB page %s sid "
				 "0x%x iova 0x%lx slpte 0x%lx domain 0x%x\n",
				 r * n + t,
				 r < 4 ? "vtd_iotlb_page_update"
				       : "vtd_iotlb_page_hit",
				 r < 4 ? "update" : "hit", 0x100 + t, iova, pa,
				 t + 1);
			s += l;
		}
	return s;
}

} // namespace

TEST(Importers, TheFtraceSampleImportsAndReplays)
{
	std::string t;
	Cmd r = import_replay("ftrace", data("strict.ftrace.txt"), &t);
	EXPECT_EQ(r.rc, 0) << r.out;
	EXPECT_NE(r.out.find("result: PASS"), std::string::npos);
	EXPECT_NE(r.out.find("faults: recorded 1"), std::string::npos);
	// the kernel's own descriptors are the invalidations
	EXPECT_NE(t.find("iommu.init mode=scalable\ndomain dma type=fl"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("attach 00:03.0 dma\n"), std::string::npos);
	EXPECT_EQ(count(t, " inv=none\n"), 2u);
	EXPECT_NE(t.find("@1000102000 inv.piotlb page domain=dma pasid=0 "
			 "addr=0xfffff000 am=0 nowait\n@1000103000 inv.wait\n"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("dma 00:03.0 0xfffff000 4 r expect=0x98760000"),
		  std::string::npos);
	EXPECT_NE(t.find("@1000400000 dma 00:03.0 0xffffc000 4 w\n"),
		  std::string::npos);
}

// What a CI gate needs: a kernel that leaves out an invalidation fails.
TEST(Importers, AKernelTraceMissingAnInvalidationFailsTheReplay)
{
	std::string in = slurp(data("strict.ftrace.txt"));
	size_t p = in.find("qi_submit: p_iotlb_inv dmar0: 0x20036 0xfffff000");
	ASSERT_NE(p, std::string::npos);
	size_t a = in.rfind('\n', p) + 1, b = in.find('\n', p) + 1;
	std::string broken = cli::tmp("broken.ftrace.txt");
	spit(broken, in.substr(0, a) + in.substr(b));
	Cmd r = import_replay("ftrace", broken);
	EXPECT_EQ(r.rc, 1) << r.out;
	EXPECT_NE(r.out.find("stale translation"), std::string::npos);
	EXPECT_NE(r.out.find("missing PASID-based IOTLB invalidation"),
		  std::string::npos)
		<< r.out;
	unlink(broken.c_str());
}

// A VM's mappings are many GiB (40 maps of 4 GiB here, 160 GiB): the
// importer keeps the mapped ranges, not a table entry per 4 KiB page, so
// it imports them in a few MB (the per-page table took 4.7 GB and 18 s),
// and each unmap gives the mapped runs inside its range.
TEST(Importers, VmSizedMapsImportInBoundedMemoryWithTheirUnmapRuns)
{
	const uint64_t G = 1ull << 30;
	std::string in;
	char l[256];
	int n = 0;
	auto event = [&](const char *ev, const std::string &rest) {
		snprintf(l, sizeof(l),
			 "  qemu-1  [000] .....  1.%06d: %s: IOMMU: ", n++, ev);
		in += l + rest + "\n";
	};
	auto map = [&](uint64_t iova, uint64_t size) {
		snprintf(l, sizeof(l),
			 "iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%llu",
			 (unsigned long long)iova,
			 (unsigned long long)(iova + size),
			 (unsigned long long)iova, (unsigned long long)size);
		event("map", l);
	};
	auto unmap = [&](uint64_t iova, uint64_t size) {
		snprintf(l, sizeof(l),
			 "iova=0x%016llx - 0x%016llx size=%llu "
			 "unmapped_size=%llu",
			 (unsigned long long)iova,
			 (unsigned long long)(iova + size),
			 (unsigned long long)size, (unsigned long long)size);
		event("unmap", l);
	};
	for (int i = 0; i < 40; i++)
		map(i * 8 * G, 4 * G);	// [8G i, 8G i + 4G)
	map(4 * G, 4 * G);		// joins the first two: [0, 12G)
	map(G + 0x1000, 0x1000);	// over a mapping: left out
	unmap(G, G);			// the middle of the first
	unmap(0, 4 * G);		// what is left of it: two runs
	unmap(16 * G - 0x1000, 0x2000); // a hole, then a range's start
	std::string log = cli::tmp("vm-maps.ftrace.txt");
	std::string out = cli::tmp("vm-maps.trace");
	spit(log, in);
	std::string args = "import ftrace " + log + " -o " + out;
#if defined(__SANITIZE_ADDRESS__)
	Cmd c = vtdsim(args); // ASan reserves more address space than 256 MB
#else
	Cmd c = cli::run("ulimit -v 262144; " VTDSIM_BINARY, args);
#endif
	ASSERT_EQ(c.rc, 0) << c.out;
	std::string t = slurp(out);
	EXPECT_EQ(count(t, "map dma ") - count(t, "unmap dma "), 41u) << t;
	EXPECT_NE(t.find("map dma 0x100000000 0x100000000 0x100000000"),
		  std::string::npos);
	EXPECT_EQ(t.find("map dma 0x40001000"), std::string::npos);
	const char *runs[] = {"unmap dma 0x40000000 0x40000000",
			      "unmap dma 0x0 0x40000000",
			      "unmap dma 0x80000000 0x80000000",
			      "unmap dma 0x400000000 0x1000"};
	size_t at = 0;
	for (const char *r : runs) {
		size_t p = t.find(r, at);
		EXPECT_NE(p, std::string::npos) << r << "\n" << t;
		if (p != std::string::npos)
			at = p;
	}
	EXPECT_EQ(count(t, "unmap dma "), 4u) << t;
	unlink(log.c_str());
	unlink(out.c_str());
}

// The formats the importer parses are Linux 6.12's, read from the tree
// the driver harness extracts.
TEST(Importers, FtraceFormatsAreThoseOfTheKernelTree)
{
	std::string tree = VTDSIM_KERNEL_TREE;
	std::string ev = slurp(tree + "/include/trace/events/iommu.h");
	std::string it = slurp(tree + "/drivers/iommu/intel/trace.h");
	if (ev.empty() || it.empty())
		GTEST_SKIP() << "no kernel tree at " << tree
			     << " (VTDSIM_DRIVER_HARNESS=OFF)";
	for (const char *f :
	     {"TRACE_EVENT(map,", "TRACE_EVENT(unmap,",
	      "DEFINE_EVENT(iommu_error, io_page_fault,",
	      "\"IOMMU: iova=0x%016llx - 0x%016llx paddr=0x%016llx size=%zu\"",
	      "\"IOMMU: iova=0x%016llx - 0x%016llx size=%zu "
	      "unmapped_size=%zu\"",
	      "\"IOMMU:%s %s iova=0x%016llx flags=0x%04x\"",
	      "\"IOMMU: groupID=%d device=%s\"", "\"IOMMU: device=%s\""})
		EXPECT_NE(ev.find(f), std::string::npos) << f;
	for (const char *f :
	     {"TRACE_EVENT(qi_submit,",
	      "\"%s %s: 0x%llx 0x%llx 0x%llx 0x%llx\"",
	      "{ QI_IOTLB_TYPE,	\"iotlb_inv\" }",
	      "{ QI_EIOTLB_TYPE,	\"p_iotlb_inv\" }",
	      "{ QI_PC_TYPE,	\"pc_inv\" }",
	      "{ QI_IWD_TYPE,	\"inv_wait\" }", "TRACE_EVENT(prq_report,",
	      "\"%s/%s type %s did %d pasid %d ref %d\"",
	      "DEFINE_EVENT(cache_tag_log, cache_tag_assign,",
	      "\"%s %s[%d] type %s did %d [0x%lx-0x%lx] addr 0x%lx pages 0x%lx "
	      "mask 0x%lx\"",
	      "DEFINE_EVENT(cache_tag_flush, cache_tag_flush_range,"})
		EXPECT_NE(it.find(f), std::string::npos) << f;
}

// Every real capture in traces/imported/ imports, replays and passes.
TEST(Importers, EveryShippedRealSampleImportsAndReplays)
{
	std::string dir = std::string(VTDSIM_SOURCE_DIR) + "/traces/imported/";
	struct {
		const char *file, *kind, *mode;
	} samples[] = {
		{"linux61-e1000e-virtio-strict.ftrace.txt", "ftrace",
		 "iommu.init mode=legacy"},
		{"linux61-scalable-strict.ftrace.txt", "ftrace",
		 "iommu.init mode=scalable\ndomain dma type=sl"},
		{"qemu72-two-nics.qemu.log", "qemu", "iommu.init mode=legacy"},
		{"qemu72-two-nics-scalable.qemu.log", "qemu",
		 "iommu.init mode=scalable"},
	};
	for (const auto &k : samples) {
		SCOPED_TRACE(k.file);
		std::string t;
		Cmd r = import_replay(k.kind, dir + k.file, &t);
		EXPECT_EQ(r.rc, 0) << r.out.substr(0, 2000);
		EXPECT_NE(r.out.find("result: PASS"), std::string::npos);
		EXPECT_NE(t.find(k.mode), std::string::npos);
		EXPECT_GT(count(t, "dma 00:0"), 300u);
	}
	// both tenants of the QEMU capture: the e1000e and the virtio NIC
	std::string t;
	import_replay("qemu", dir + "qemu72-two-nics.qemu.log", &t);
	EXPECT_NE(t.find("attach 00:01.0 d3"), std::string::npos);
	EXPECT_NE(t.find("attach 00:02.0 d4"), std::string::npos);
	// the kernel's strict unmaps: each is followed by its traced
	// page-selective invalidation
	import_replay("ftrace", dir + "linux61-e1000e-virtio-strict.ftrace.txt",
		      &t);
	EXPECT_EQ(count(t, " inv=none\n"), count(t, "unmap dma "));
	EXPECT_GT(count(t, "inv.iotlb page domain=dma"), 90u);
}

// HyperSIO's input: many tenants, each a device and a domain; the
// importer writes second-level tables that give every traced translation.
TEST(Importers, AManyTenantQemuLogImportsAndReplays)
{
	std::string log = cli::tmp("tenants.qemu.log");
	spit(log, tenants_log(64, 12));
	std::string t;
	Cmd r = import_replay("qemu", log, &t);
	EXPECT_EQ(r.rc, 0) << r.out.substr(0, 3000);
	EXPECT_NE(r.out.find("requests: 768 "), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("legacy-second-level  768"), std::string::npos);
	EXPECT_EQ(count(t, "domain d"), 64u);
	EXPECT_EQ(count(t, " map d"), 64u * 4); // four pages each
	EXPECT_NE(t.find("domain d64 type=sl levels=3 did=64"),
		  std::string::npos);
	EXPECT_NE(t.find("attach 01:07.7 d64"), std::string::npos);
	// a translation that changes is a remap, invalidated
	std::string moved = tenants_log(2, 5);
	moved += "1234@1700000002.000000:vtd_iotlb_page_update IOTLB page "
		 "update sid 0x100 iova 0x10040 slpte 0x7000003 domain 0x1\n";
	spit(log, moved);
	r = import_replay("qemu", log, &t);
	EXPECT_EQ(r.rc, 0) << r.out;
	EXPECT_NE(t.find("remap d1 0x10000 0x7000000 perm=rw\n"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("dma 01:00.0 0x10040 4 r expect=0x7000040"),
		  std::string::npos);
	unlink(log.c_str());
}

TEST(Importers, MalformedInputIsFileLineAndExitTwoWithNoOutput)
{
	struct {
		const char *kind, *text, *msg;
	} cases[] = {
		{"ftrace", "# ok\n  a-1 [000] ..... 1.0: map: IOMMU: iova=zz\n",
		 ":2: map: expected 'IOMMU: iova=A - B paddr=P size=N'"},
		{"ftrace", "hello world\n", ":1: not a trace event line"},
		// found by fuzz_import_qemu: a time beyond 2^64 ns (UB)
		{"qemu", "12@1e300: vtd_reg_dmar_root root 0x1000 extended 0\n",
		 ":1: time stamp 1e+300 s out of range"},
		{"ftrace", "  a-1 [000] ..... 99999999999999999999.0: map: x\n",
		 ":1: time stamp 1e+20 s out of range"},
		{"ftrace",
		 "  a-1 [000] ..... 1.0: map: IOMMU: iova=0x1001 - 0x2001 "
		 "paddr=0x0 size=4096\n",
		 ":1: map: iova and paddr must be 4 KiB aligned"},
		{"ftrace",
		 "  a-1 [000] ..... 1.0: qi_submit: iotlb_inv dmar0: 0x1\n",
		 ":1: qi_submit: expected 'TYPE IOMMU: QW0 QW1 QW2 QW3'"},
		{"ftrace", "# nothing\n", ":1: no iommu events to import"},
		{"qemu",
		 "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000\n",
		 ":1: expected sid, iova, slpte and domain"},
		{"qemu",
		 "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 "
		 "slpte 0x5000 domain 0x1\n",
		 ":1: slpte 0x5000 grants neither read nor write"},
		{"qemu",
		 "vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn "
		 "0x10\n",
		 ":1: expected bus, devfn, high and low"},
		{"qemu",
		 "vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x10 "
		 "high 0x500 low 0x1001 gen 0 -> gen 1\n",
		 ":1: context entry AW 0: not 3, 4 or 5 levels"},
		{"ftrace",
		 "  a-1 [000] ..... 1.0: map: IOMMU: iova=0xfffffffffffff000 - "
		 "0x0 paddr=0x5000 size=8192\n",
		 ":1: map: size 0x2000 at 0xfffffffffffff000 is beyond"},
		{"ftrace",
		 "  a-1 [000] ..... 1.0: map: IOMMU: iova=0x1000 - 0x0 "
		 "paddr=0x5000 size=18446744073709551615\n",
		 ":1: map: size 0xffffffffffffffff at 0x1000 is beyond"},
		{"ftrace",
		 "  a-1 [000] ..... 1.0: unmap: IOMMU: iova=0x1000 - 0x0 "
		 "size=4096 unmapped_size=18446744073709547520\n",
		 ":1: unmap: size 0xfffffffffffff000 at 0x1000 is beyond"},
	};
	std::string in = cli::tmp("bad.log"), out = cli::tmp("bad.trace");
	for (const auto &k : cases) {
		spit(in, k.text);
		Cmd c = vtdsim(std::string("import ") + k.kind + " " + in +
			       " -o " + out);
		EXPECT_EQ(c.rc, 2) << k.text;
		EXPECT_NE(c.out.find(in + k.msg), std::string::npos)
			<< k.text << "\n"
			<< c.out;
		EXPECT_FALSE(exists(out));
		EXPECT_FALSE(exists(out + ".tmp"));
	}
	// the ftrace importer reads its input twice: a pipe is refused
	Cmd p = vtdsim("import ftrace /dev/stdin < /dev/null; cat " +
		       data("strict.ftrace.txt") +
		       " | " VTDSIM_BINARY " import ftrace /dev/stdin");
	EXPECT_EQ(p.rc, 2);
	EXPECT_NE(p.out.find("must be a regular file"), std::string::npos)
		<< p.out;
	// a request never leaves its page: 2 bytes at 0x1ffe
	spit(in, "vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x10 "
		 "high 0x102 low 0x1001 gen 0 -> gen 1\n"
		 "vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x1ffe "
		 "slpte 0x7000003 domain 0x1\n");
	Cmd q = import_replay("qemu", in);
	EXPECT_EQ(q.rc, 0) << q.out;
	Cmd c = vtdsim("import ftrace /nonexistent.txt");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("/nonexistent.txt: cannot open"),
		  std::string::npos);
	c = vtdsim("import perf x");
	EXPECT_EQ(c.rc, 2);
	EXPECT_NE(c.out.find("unknown source 'perf'"), std::string::npos);
	c = vtdsim("import qemu " + in + " --mode fl");
	EXPECT_EQ(c.rc, 2);
	unlink(in.c_str());
}
