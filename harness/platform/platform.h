// SPDX-License-Identifier: MIT
// The example virtual platform vtdsim-tlm-platform (docs/systemc.md): a CPU
// running the replayer's reference driver as its software, a bus, memory,
// an interrupt controller, DMA traffic generators and the IOMMU.
//
//   cpu.bus --> bus --+-- [mmio_base, +4 KiB) --> iommu.mmio
//                     +-- everything else ----> memory
//   dma.out --> iommu.upstream;  iommu.memory --> memory
//   iommu.msi --> irq;  iommu.endpoints --> ats (the ATS/PRI devices)
#ifndef VTDSIM_PLATFORM_H
#define VTDSIM_PLATFORM_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vtdsim/tlm.h"

#include <tlm_utils/tlm_quantumkeeper.h>

extern "C" {
#include "replay.h"
#include "sparse_mem.h"
}

namespace vtdsim
{
namespace platform
{

// Platform memory: sparse, zero where never written; grants DMI.
struct memory : sc_core::sc_module {
	tlm_utils::simple_target_socket<memory> cpu, iommu;
	struct sparse_mem *m;

	memory(sc_core::sc_module_name n, uint64_t size);
	~memory() override;
	memory(const memory &) = delete;
	memory &operator=(const memory &) = delete;

      private:
	void b_transport(::tlm::tlm_generic_payload &t, sc_core::sc_time &d);
};

// The CPU's bus: the IOMMU's register file in a 4 KiB window at mmio_base,
// memory everywhere else.
struct bus : sc_core::sc_module {
	tlm_utils::simple_target_socket<bus> in;
	tlm_utils::simple_initiator_socket<bus> mmio, mem;
	uint64_t mmio_base;

	bus(sc_core::sc_module_name n, uint64_t mmio_base);

      private:
	void b_transport(::tlm::tlm_generic_payload &t, sc_core::sc_time &d);
};

// Interrupt messages: a DWORD write each, counted by address.
struct irq_controller : sc_core::sc_module {
	tlm_utils::simple_target_socket<irq_controller> in;
	uint64_t messages = 0;

	explicit irq_controller(sc_core::sc_module_name n);

      private:
	void b_transport(::tlm::tlm_generic_payload &t, sc_core::sc_time &d);
};

// A DMA traffic generator: sends each request it is given upstream as the
// requester the request names, with the data it moves. With the unit's
// lt_timing::wait, each request goes from a thread of its own (a DMA
// engine with many tags), so requests overlap in the unit as the trace
// has them; with annotate, from the caller's thread.
struct dma_generator : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<dma_generator> out;

	dma_generator(sc_core::sc_module_name n, bool threads);
	// ready at the caller's local time (sc_time_stamp() + local); the
	// result as the unit decided it on taking the request
	bool issue(const struct vtd_request *req, uint64_t len, uint64_t cookie,
		   const sc_core::sc_time &local, struct vtd_dma_result *res);
	uint64_t requests = 0, blocked = 0;

      private:
	struct job {
		::tlm::tlm_generic_payload t;
		vtdsim::tlm::request_ext x;
		std::vector<unsigned char> data;
		sc_core::sc_time local;
		bool busy = false;
	};
	bool threads_;
	std::vector<std::unique_ptr<job>> jobs_;

	job &free_job();
	void send(job *j);
};

// The CPU: its software is the replayer carrying out a trace (the
// reference driver for the high-level records, the trace's register and
// memory records, the checks), through the bus, with a quantum keeper.
struct cpu : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<cpu> bus;

	SC_HAS_PROCESS(cpu);
	cpu(sc_core::sc_module_name n, const std::string &trace,
	    const struct replay_options &opt, vtdsim::tlm::iommu &unit,
	    memory &mem, dma_generator &dma, uint64_t mmio_base);
	int exit_code = REPLAY_MALFORMED;

      private:
	std::string trace_;
	struct replay_options opt_;
	struct replay_platform plat_ = {};
	vtdsim::tlm::iommu &unit_;
	memory &mem_;
	dma_generator &dma_;
	uint64_t mmio_base_;
	tlm_utils::tlm_quantumkeeper qk_;

	void run();
	int access(::tlm::tlm_command cmd, uint64_t addr, void *buf,
		   unsigned int len);
	static struct vtd *unit(void *o, const struct vtd_config *cfg,
				const struct vtd_host_ops *observer, void *obs,
				char *err, size_t errlen);
	static struct sparse_mem *memory_of(void *o);
	static int read(void *o, uint64_t pa, void *buf, size_t len);
	static int write(void *o, uint64_t pa, const void *buf, size_t len);
	static uint64_t reg_read(void *o, uint32_t off, unsigned int size);
	static void reg_write(void *o, uint32_t off, unsigned int size,
			      uint64_t val);
	static void wait_until(void *o, uint64_t t_ns);
	static bool dma(void *o, const struct vtd_request *req, uint64_t len,
			uint64_t ready_ps, uint64_t cookie,
			struct vtd_dma_result *res);
};

// The whole platform for a trace: cfg and mem_size as
// replay_resolve_config gives them.
struct top {
	memory mem;
	bus membus;
	irq_controller irq;
	dma_generator dma;
	vtdsim::tlm::iommu unit;
	cpu core;

	top(const std::string &trace, const struct replay_options &opt,
	    const struct vtd_config &cfg, uint64_t mem_size, uint64_t mmio_base,
	    vtdsim::tlm::lt_timing lt);
};

} // namespace platform
} // namespace vtdsim

#endif
