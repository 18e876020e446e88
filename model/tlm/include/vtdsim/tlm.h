// SPDX-License-Identifier: MIT
// vtdsim as a SystemC TLM-2.0 component (docs/systemc.md): the VT-d unit
// of model/ behind sockets, loosely timed with the timing model's delays.
//
//   mmio      target: the register file (4- and 8-byte accesses)
//   upstream  target: devices' requests; a request_ext says who and what
//   memory    initiator: table walks, A/D updates, queue descriptors,
//             status writes, page requests, DMA data after translation
//   msi       initiator: interrupt messages, a 4-byte write each
#ifndef VTDSIM_TLM_H
#define VTDSIM_TLM_H

#include <cstdint>
#include <map>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

extern "C" {
#include <vtdsim/vtdsim.h>
}

namespace vtdsim
{
namespace tlm
{

// How the address of an upstream request is to be taken (PCIe AT field).
enum class address_type { untranslated, translation_request, translated };

// Who sends an upstream request and what it asks; a translation request's
// completion comes back in it.
struct request_ext : ::tlm::tlm_extension<request_ext> {
	uint16_t rid = 0; // requester ID: bus << 8 | dev << 3 | fn
	bool has_pasid = false;
	uint32_t pasid = 0;
	bool priv = false, exec = false;
	address_type at = address_type::untranslated;
	// out: the unit's answer
	bool ok = false;	 // translated and accessed / allowed / success
	uint8_t fault = 0;	 // the fault reason of a blocked request
	uint64_t latency_ps = 0; // the timing model's latency of the request
	// out, a translation request's completion (vtd_ats_completion)
	enum vtd_ats_status ats = VTD_ATS_SUCCESS; // UR, CA: the PCIe status
	uint64_t translated = 0; // the translated address, aligned to size
	uint64_t size = 0;	 // bytes it covers (S set when above 4 KiB)
	bool s = false, u = false, r = false, w = false, x = false;
	bool global = false;

	::tlm::tlm_extension_base *clone() const override;
	void copy_from(const ::tlm::tlm_extension_base &e) override;
};

class iommu : public sc_core::sc_module
{
      public:
	// the longest upstream request: 16 pages of 4 KiB
	static constexpr unsigned int max_pages = 16;

	tlm_utils::simple_target_socket<iommu> mmio;
	tlm_utils::simple_target_socket<iommu> upstream;
	tlm_utils::simple_initiator_socket<iommu> memory;
	tlm_utils::simple_initiator_socket<iommu> msi;

	// cfg as vtd_config_init gives it, then changed as wanted; throws
	// std::invalid_argument with the model's message if it is bad.
	iommu(sc_core::sc_module_name name, const struct vtd_config &cfg);
	~iommu() override;
	iommu(const iommu &) = delete;
	iommu &operator=(const iommu &) = delete;

	// The unit, for what sockets do not carry (statistics, a driver
	// stand-in's direct set-up).
	struct vtd *model()
	{
		return v_;
	}

      private:
	struct vtd *v_ = nullptr;
	uint64_t cookies_ = 0;
	std::map<uint64_t, uint64_t> done_; // cookie -> latency, ps

	void mmio_b_transport(::tlm::tlm_generic_payload &t,
			      sc_core::sc_time &delay);
	void upstream_b_transport(::tlm::tlm_generic_payload &t,
				  sc_core::sc_time &delay);
	void untranslated(::tlm::tlm_generic_payload &t, request_ext &x,
			  sc_core::sc_time &delay);
	void translation_request(::tlm::tlm_generic_payload &t, request_ext &x,
				 sc_core::sc_time &delay);
	void translated(::tlm::tlm_generic_payload &t, request_ext &x,
			sc_core::sc_time &delay);
	static struct vtd_request
	request_of(const ::tlm::tlm_generic_payload &t, const request_ext &x);
	bool data(::tlm::tlm_generic_payload &t, const uint64_t *pa);
	void catch_up(const sc_core::sc_time &delay);

	int mem_access(::tlm::tlm_command cmd, uint64_t pa, void *buf,
		       size_t len);
	static int host_read(void *o, uint64_t pa, void *buf, size_t len);
	static int host_write(void *o, uint64_t pa, const void *buf,
			      size_t len);
	static void host_interrupt(void *o, enum vtd_irq_source src,
				   uint64_t addr, uint32_t data);
	static void host_timed(void *o, const struct vtd_timing *t);
};

} // namespace tlm
} // namespace vtdsim

#endif
