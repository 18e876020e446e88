// SPDX-License-Identifier: MIT
// vtdsim as a SystemC TLM-2.0 component (docs/systemc.md): the VT-d unit
// of model/ behind sockets, loosely timed with the timing model's delays.
//
//   mmio      target: the register file (4- and 8-byte accesses)
//   upstream  target: devices' requests; a request_ext says who and what
//   memory    initiator: table walks, A/D updates, queue descriptors,
//             status writes, page requests, DMA data after translation
//   msi       initiator: interrupt messages, a 4-byte write each
//   endpoints initiator (optional): device-TLB invalidation requests and
//             page group responses to functions the platform models
#ifndef VTDSIM_TLM_H
#define VTDSIM_TLM_H

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

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

// How the address of an upstream request is to be taken (PCIe AT field),
// or a PRI page request message for the page at the address (a write
// command asks for write access, a read command for read access).
enum class address_type {
	untranslated,
	translation_request,
	translated,
	page_request
};

// Who sends an upstream request and what it asks; a translation request's
// completion comes back in it.
struct request_ext : ::tlm::tlm_extension<request_ext> {
	uint16_t rid = 0; // requester ID: bus << 8 | dev << 3 | fn
	bool has_pasid = false;
	uint32_t pasid = 0;
	bool priv = false, exec = false;
	address_type at = address_type::untranslated;
	// in: the identifier the unit's vtd_timing of this request carries
	// (observers); 0: the unit numbers it
	uint64_t cookie = 0;
	// out: the unit's answer
	bool ok = false;	 // translated and accessed / allowed / success
	uint8_t fault = 0;	 // the fault reason of a blocked request
	uint64_t latency_ps = 0; // the timing model's latency of the request
	uint64_t fault_addr = 0; // input address of the blocked page
	// out, a translation request's completion (vtd_ats_completion)
	enum vtd_ats_status ats = VTD_ATS_SUCCESS; // UR, CA: the PCIe status
	// the translated address, aligned to size; for an untranslated
	// request, where its first byte went
	uint64_t translated = 0;
	uint64_t size = 0; // bytes it covers (S set when above 4 KiB)
	bool s = false, u = false, r = false, w = false, x = false;
	bool global = false;
	// in, a page request: its page request group index (9 bits), last
	// request of the group
	uint16_t prgi = 0;
	bool lpig = false;

	::tlm::tlm_extension_base *clone() const override;
	void copy_from(const ::tlm::tlm_extension_base &e) override;
};

// How b_transport gives an untranslated request its time (docs/systemc.md):
//  annotate  the timing model runs the request to its end at once and the
//            latency is added to the caller's delay; exact while requests
//            do not overlap in the unit, the usual LT approximation when
//            they do (each is timed as if the ones before had finished)
//  wait      the request joins the timing model with every other one in
//            flight and b_transport waits in simulation time until it
//            completes (at its completion, rounded up to the next ns);
//            exact under overlap, the same latencies as `vtdsim replay`,
//            when devices issue from threads of their own
enum class lt_timing { annotate, wait };

// A message from the unit to a PCIe function without an endpoint model
// (the endpoints socket): a device-TLB invalidation request or a page
// group response (msg.type). An invalidation the function completes at
// once sets completed (the unit takes the completion after the returned
// delay); one it completes later calls iommu::devtlb_inv_done(msg.token).
struct endpoint_msg_ext : ::tlm::tlm_extension<endpoint_msg_ext> {
	struct vtd_ep_message msg = {};
	bool completed = false; // out

	::tlm::tlm_extension_base *clone() const override;
	void copy_from(const ::tlm::tlm_extension_base &e) override;
};

class iommu : public sc_core::sc_module
{
      public:
	// upstream requests up to 16 pages of 4 KiB are carried without
	// allocating; longer ones allocate their page list
	static constexpr unsigned int max_pages = 16;

	SC_HAS_PROCESS(iommu);

	tlm_utils::simple_target_socket<iommu> mmio;
	tlm_utils::simple_target_socket<iommu> upstream;
	tlm_utils::simple_initiator_socket<iommu> memory;
	tlm_utils::simple_initiator_socket<iommu> msi;
	// toward endpoints the platform models itself; need not be bound
	tlm_utils::simple_initiator_socket_optional<iommu> endpoints;

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

	// An observer of the unit: its stale, timing, timed and busy
	// callbacks are called as the unit's host ops are (the others are
	// ignored); nullptr: none. Statistics and reports (the replayer on
	// a platform) hang here.
	void observe(const struct vtd_host_ops *ops, void *opaque);

	// A device-TLB invalidation sent on endpoints is done (the function's
	// completion message), delay after the caller's simulation time.
	void
	devtlb_inv_done(uint64_t token,
			const sc_core::sc_time &delay = sc_core::SC_ZERO_TIME);

	void set_lt_timing(lt_timing m)
	{
		lt_ = m;
	}

      private:
	struct vtd *v_ = nullptr;
	struct vtd_host_ops obs_ = {};
	void *obs_opaque_ = nullptr;
	sc_core::sc_event wake_; // the unit's next scheduled event
	uint64_t cookies_ = 0;
	lt_timing lt_ = lt_timing::annotate;
	std::map<uint64_t, uint64_t> done_; // in flight: cookie -> latency, ps

	// approximately timed (nb_transport_fw): requests admitted into the
	// unit, each holding a translation slot until its response
	struct at_job {
		::tlm::tlm_generic_payload *t;
		std::vector<uint64_t> pa;
		bool ok;
	};
	std::map<uint64_t, at_job> at_flight_;		      // cookie -> job
	std::deque<::tlm::tlm_generic_payload *> at_waiting_; // no END_REQ yet
	std::deque<::tlm::tlm_generic_payload *> at_done_;    // BEGIN_RESP due
	::tlm::tlm_generic_payload *at_resp_ = nullptr; // awaiting END_RESP
	sc_core::sc_event at_wake_;

	// DMI granted to devices over pass-through translations
	struct dmi_grant {
		uint64_t start, end;
	};
	std::vector<dmi_grant> dmi_;
	uint64_t inv_seen_ = 0; // invalidation descriptors carried out

	static void host_ep_message(void *o, const struct vtd_ep_message *m);

	void mmio_b_transport(::tlm::tlm_generic_payload &t,
			      sc_core::sc_time &delay);
	void upstream_b_transport(::tlm::tlm_generic_payload &t,
				  sc_core::sc_time &delay);
	void upstream_request(::tlm::tlm_generic_payload &t, request_ext &x,
			      sc_core::sc_time &delay);
	void untranslated(::tlm::tlm_generic_payload &t, request_ext &x,
			  sc_core::sc_time &delay);
	void translation_request(::tlm::tlm_generic_payload &t, request_ext &x,
				 sc_core::sc_time &delay);
	void translated(::tlm::tlm_generic_payload &t, request_ext &x,
			sc_core::sc_time &delay);
	void page_request(::tlm::tlm_generic_payload &t, request_ext &x,
			  sc_core::sc_time &delay);
	static struct vtd_request
	request_of(const ::tlm::tlm_generic_payload &t, const request_ext &x);
	bool data(::tlm::tlm_generic_payload &t, const uint64_t *pa);
	void catch_up(const sc_core::sc_time &delay);
	uint64_t await(uint64_t cookie, sc_core::sc_time &delay);
	void run_events();
	void rearm();
	::tlm::tlm_sync_enum upstream_nb_fw(::tlm::tlm_generic_payload &t,
					    ::tlm::tlm_phase &ph,
					    sc_core::sc_time &delay);
	request_ext *valid_request(::tlm::tlm_generic_payload &t);
	void at_admit(::tlm::tlm_generic_payload &t, const sc_core::sc_time &d);
	void at_run();
	void at_complete(uint64_t cookie, at_job &j, uint64_t latency_ps);
	void at_respond();
	bool upstream_get_dmi(::tlm::tlm_generic_payload &t,
			      ::tlm::tlm_dmi &dmi);
	uint64_t invalidations() const;
	void dmi_check(bool reg_changed);
	void dmi_revoke();
	static bool pass_through(enum vtd_mode m);

	int mem_access(::tlm::tlm_command cmd, uint64_t pa, void *buf,
		       size_t len);
	static int host_read(void *o, uint64_t pa, void *buf, size_t len);
	static int host_write(void *o, uint64_t pa, const void *buf,
			      size_t len);
	static void host_interrupt(void *o, enum vtd_irq_source src,
				   uint64_t addr, uint32_t data);
	static void host_timed(void *o, const struct vtd_timing *t);
	static void host_stale(void *o, const struct vtd_stale_report *r);
	static void host_timing(void *o, const struct vtd_timing_event *ev);
	static void host_busy(void *o, const struct vtd_resource_use *u);
};

} // namespace tlm
} // namespace vtdsim

#endif
