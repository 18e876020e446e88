// SPDX-License-Identifier: MIT
// Shared test fixture: a model instance over a sparse test memory that
// records interrupts, steps and checker reports.
#pragma once

#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include <vtdsim/vtdsim.h>

namespace vtdtest
{

// Sparse physical memory: zero where never written; addresses at or above
// `limit` are not backed (reads and writes fail).
struct TestMem {
	std::unordered_map<uint64_t, std::array<uint8_t, 4096>> pages;
	uint64_t limit = 1ULL << 40;
	uint64_t reads = 0, writes = 0;

	bool backed(uint64_t pa, size_t len) const
	{
		return pa < limit && len <= limit - pa;
	}
	void copy_out(uint64_t pa, void *buf, size_t len)
	{
		auto *out = static_cast<uint8_t *>(buf);
		while (len) {
			size_t off = pa & 4095, n = std::min(len, 4096 - off);
			auto it = pages.find(pa & ~4095ULL);
			if (it == pages.end())
				memset(out, 0, n);
			else
				memcpy(out, it->second.data() + off, n);
			pa += n, out += n, len -= n;
		}
	}
	void copy_in(uint64_t pa, const void *buf, size_t len)
	{
		auto *in = static_cast<const uint8_t *>(buf);
		while (len) {
			size_t off = pa & 4095, n = std::min(len, 4096 - off);
			auto it = pages.find(pa & ~4095ULL);
			if (it == pages.end())
				it = pages.emplace(pa & ~4095ULL,
						   std::array<uint8_t, 4096>{})
					     .first;
			memcpy(it->second.data() + off, in, n);
			pa += n, in += n, len -= n;
		}
	}
	void w64(uint64_t pa, uint64_t v)
	{
		copy_in(pa, &v, 8);
	}
	uint64_t r64(uint64_t pa)
	{
		uint64_t v;
		copy_out(pa, &v, 8);
		return v;
	}
	void w32(uint64_t pa, uint32_t v)
	{
		copy_in(pa, &v, 4);
	}
	uint32_t r32(uint64_t pa)
	{
		uint32_t v;
		copy_out(pa, &v, 4);
		return v;
	}
};

struct Irq {
	vtd_irq_source src;
	uint64_t addr;
	uint32_t data;
};

// A model instance with its memory and everything it reported.
struct Model {
	TestMem mem;
	vtd_config cfg;
	vtd *v = nullptr;
	std::vector<Irq> irqs;
	std::vector<vtd_step> steps;
	std::vector<vtd_stale_report> stale;
	bool record_steps = false;

	explicit Model(const std::function<void(vtd_config &)> &tweak = {})
	{
		vtd_config_init(&cfg);
		if (tweak)
			tweak(cfg);
		vtd_host_ops ops{};
		ops.read = [](void *o, uint64_t pa, void *buf, size_t len) {
			auto *m = static_cast<Model *>(o);
			if (!m->mem.backed(pa, len))
				return -1;
			m->mem.reads++;
			m->mem.copy_out(pa, buf, len);
			return 0;
		};
		ops.write = [](void *o, uint64_t pa, const void *buf,
			       size_t len) {
			auto *m = static_cast<Model *>(o);
			if (!m->mem.backed(pa, len))
				return -1;
			m->mem.writes++;
			m->mem.copy_in(pa, buf, len);
			return 0;
		};
		ops.cmpxchg64 = [](void *o, uint64_t pa, uint64_t expected,
				   uint64_t desired, uint64_t *found) {
			auto *m = static_cast<Model *>(o);
			if (!m->mem.backed(pa, 8))
				return -1;
			*found = m->mem.r64(pa);
			if (*found == expected)
				m->mem.w64(pa, desired);
			return 0;
		};
		ops.interrupt = [](void *o, vtd_irq_source src, uint64_t addr,
				   uint32_t data) {
			static_cast<Model *>(o)->irqs.push_back({src, addr, data});
		};
		ops.step = [](void *o, const vtd_step *s) {
			auto *m = static_cast<Model *>(o);
			if (m->record_steps)
				m->steps.push_back(*s);
		};
		ops.stale = [](void *o, const vtd_stale_report *r) {
			static_cast<Model *>(o)->stale.push_back(*r);
		};
		char err[256] = "";
		v = vtd_create(&cfg, &ops, this, err, sizeof(err));
		if (!v)
			ADD_FAILURE() << "vtd_create: " << err;
	}
	~Model()
	{
		vtd_destroy(v);
	}
	Model(const Model &) = delete;
	Model &operator=(const Model &) = delete;

	uint32_t rd32(uint32_t off)
	{
		return (uint32_t)vtd_reg_read(v, off, 4);
	}
	uint64_t rd64(uint32_t off)
	{
		return vtd_reg_read(v, off, 8);
	}
	void wr32(uint32_t off, uint32_t val)
	{
		vtd_reg_write(v, off, 4, val);
	}
	void wr64(uint32_t off, uint64_t val)
	{
		vtd_reg_write(v, off, 8, val);
	}
	const vtd_stats &stats() const
	{
		return *vtd_get_stats(v);
	}
	// Interrupt messages of one source sent so far.
	size_t irq_count(vtd_irq_source src) const
	{
		size_t n = 0;

		for (const auto &i : irqs)
			n += i.src == src;
		return n;
	}
	// Program and unmask the fault event, as a driver does.
	void unmask_fault_event()
	{
		wr32(VTD_REG_FEDATA, 0x41);
		wr32(VTD_REG_FEADDR, 0xfee00000);
		wr32(VTD_REG_FECTL, 0);
	}
};

} // namespace vtdtest
