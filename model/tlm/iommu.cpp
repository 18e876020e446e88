// SPDX-License-Identifier: MIT
// vtdsim::tlm::iommu (vtdsim/tlm.h, docs/systemc.md): loosely timed. Each
// call catches the unit's clock up to the caller's local time (simulation
// time plus its annotated delay), does what the model does, and adds the
// timing model's latency of a request to the delay. The memory socket's
// own delays are not added: the timing model already charges every table
// read and the data access (docs/timing.md).
#include <cstring>
#include <stdexcept>
#include <vector>

#include "vtdsim/tlm.h"

extern "C" {
#include <vtdsim/vtd_entries.h>
#include <vtdsim/vtd_qi.h>
#include <vtdsim/vtd_regs.h>
}

namespace vtdsim
{
namespace tlm
{

static constexpr uint64_t not_done = UINT64_MAX;

static bool translation_register(struct vtd *v, uint32_t off);

// Where each page of a request goes: on the stack up to max_pages.
struct page_list {
	uint64_t small[iommu::max_pages];
	std::vector<uint64_t> big;

	uint64_t *get(unsigned int n)
	{
		if (n <= iommu::max_pages)
			return small;
		big.resize(n);
		return big.data();
	}
};

using sc_core::sc_time;
using ::tlm::tlm_generic_payload;

static unsigned int pages_of(uint64_t addr, uint64_t len)
{
	return (unsigned int)(((addr & (VTD_PAGE_SIZE - 1)) + len +
			       VTD_PAGE_SIZE - 1) /
			      VTD_PAGE_SIZE);
}

::tlm::tlm_extension_base *request_ext::clone() const
{
	return new request_ext(*this);
}

void request_ext::copy_from(const ::tlm::tlm_extension_base &e)
{
	*this = static_cast<const request_ext &>(e);
}

::tlm::tlm_extension_base *endpoint_msg_ext::clone() const
{
	return new endpoint_msg_ext(*this);
}

void endpoint_msg_ext::copy_from(const ::tlm::tlm_extension_base &e)
{
	*this = static_cast<const endpoint_msg_ext &>(e);
}

iommu::iommu(sc_core::sc_module_name name, const struct vtd_config &cfg)
    : sc_module(name), mmio("mmio"), upstream("upstream"), memory("memory"),
      msi("msi"), endpoints("endpoints")
{
	struct vtd_host_ops ops;
	char err[256] = "";

	std::memset(&ops, 0, sizeof(ops));
	ops.read = host_read;
	ops.write = host_write;
	ops.interrupt = host_interrupt;
	ops.timed = host_timed;
	ops.stale = host_stale;
	ops.timing = host_timing;
	ops.busy = host_busy;
	ops.ep_message = host_ep_message;
	v_ = vtd_create(&cfg, &ops, this, err, sizeof(err));
	if (!v_)
		throw std::invalid_argument(err);
	mmio.register_b_transport(this, &iommu::mmio_b_transport);
	upstream.register_b_transport(this, &iommu::upstream_b_transport);
	upstream.register_nb_transport_fw(this, &iommu::upstream_nb_fw);
	upstream.register_get_direct_mem_ptr(this, &iommu::upstream_get_dmi);
	SC_METHOD(run_events);
	sensitive << wake_;
	dont_initialize();
	SC_METHOD(at_run);
	sensitive << at_wake_;
	dont_initialize();
}

void iommu::observe(const struct vtd_host_ops *ops, void *opaque)
{
	obs_ = ops ? *ops : vtd_host_ops{};
	obs_opaque_ = opaque;
}

iommu::~iommu()
{
	vtd_destroy(v_);
}

// Simulation time plus delay, in ns.
static uint64_t now_ns(const sc_time &delay = sc_core::SC_ZERO_TIME)
{
	return (uint64_t)((sc_core::sc_time_stamp() + delay).to_seconds() *
				  1e9 +
			  0.5);
}

// The unit's clock (ns) to the caller's local time.
void iommu::catch_up(const sc_time &delay)
{
	uint64_t ns = now_ns(delay);

	if (ns > vtd_now(v_))
		vtd_advance(v_, ns);
}

// The unit's scheduled work (invalidation completions and time-outs,
// page request service, interrupts) happens at its time even when no
// socket is called: an event at the next one.
void iommu::rearm()
{
	uint64_t t, now;

	dmi_check(false); // what the unit did may end DMI grants
	if (!vtd_next_event(v_, &t))
		return;
	now = now_ns();
	wake_.notify(sc_time((double)(t > now ? t - now : 0), sc_core::SC_NS));
}

void iommu::run_events()
{
	catch_up(sc_core::SC_ZERO_TIME);
	rearm();
}

// ---- direct memory interface -----------------------------------------------
//
// A device may get DMI for an address its requester ID (and PASID) reaches
// through a pass-through entry: the IOMMU asks memory for the region and
// grants it as is (output = input address). The grant ends, through
// invalidate_direct_mem_ptr, when software changes what governs
// translation: a write to GCMD, RTADDR, CCMD or the IOTLB registers, or an
// invalidation descriptor of the context cache, the PASID cache or the
// IOTLB carried out. That over-invalidates (the device asks again), never
// leaves a grant that an invalidation removed. Accesses through DMI are
// neither translated nor timed by the unit.

bool iommu::pass_through(enum vtd_mode m)
{
	return m == VTD_MODE_LEGACY_PT || m == VTD_MODE_SM_PT;
}

bool iommu::upstream_get_dmi(tlm_generic_payload &t, ::tlm::tlm_dmi &dmi)
{
	request_ext *x = nullptr;
	struct vtd_request req;
	struct vtd_result res;

	t.get_extension(x);
	dmi.allow_none();
	if (!x || x->at != address_type::untranslated)
		return false;
	req = request_of(t, *x);
	catch_up(sc_core::SC_ZERO_TIME);
	if (!vtd_translate(v_, &req, &res) || !pass_through(res.mode))
		return false;
	tlm_generic_payload m;
	m.set_command(t.get_command());
	m.set_address(res.addr);
	if (!memory->get_direct_mem_ptr(m, dmi))
		return false;
	if (dmi_.empty())
		inv_seen_ = invalidations();
	dmi_.push_back({dmi.get_start_address(), dmi.get_end_address()});
	return true;
}

static bool translation_register(struct vtd *v, uint32_t off)
{
	uint32_t iro = (uint32_t)VTD_ECAP_IRO(vtd_reg_read(v, VTD_REG_ECAP, 8))
		       << 4;

	return off == VTD_REG_GCMD || off == VTD_REG_RTADDR ||
	       off == VTD_REG_RTADDR + 4 || off == VTD_REG_CCMD ||
	       off == VTD_REG_CCMD + 4 || off == iro + 8 || off == iro + 12;
}

uint64_t iommu::invalidations() const
{
	const struct vtd_stats *st = vtd_get_stats(v_);

	return st->inv_descriptors[VTD_QI_CC] +
	       st->inv_descriptors[VTD_QI_IOTLB] +
	       st->inv_descriptors[VTD_QI_PIOTLB] +
	       st->inv_descriptors[VTD_QI_PC];
}

void iommu::dmi_check(bool reg_changed)
{
	uint64_t n;

	if (dmi_.empty())
		return;
	n = invalidations();
	if (reg_changed || n != inv_seen_)
		dmi_revoke();
	inv_seen_ = n;
}

void iommu::dmi_revoke()
{
	std::vector<dmi_grant> g;

	g.swap(dmi_);
	inv_seen_ = invalidations();
	for (const auto &r : g)
		upstream->invalidate_direct_mem_ptr(r.start, r.end);
}

// ---- the register file ----------------------------------------------------

void iommu::mmio_b_transport(tlm_generic_payload &t, sc_time &delay)
{
	uint64_t off = t.get_address(), val = 0;
	unsigned int len = t.get_data_length();

	if (t.get_byte_enable_ptr()) {
		t.set_response_status(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
		return;
	}
	if ((len != 4 && len != 8) || (off & (len - 1)) ||
	    t.get_streaming_width() < len) {
		t.set_response_status(::tlm::TLM_BURST_ERROR_RESPONSE);
		return;
	}
	if (off > UINT32_MAX) {
		t.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	catch_up(delay);
	if (t.is_read()) {
		val = vtd_reg_read(v_, (uint32_t)off, len);
		std::memcpy(t.get_data_ptr(), &val, len); // little-endian host
	} else if (t.is_write()) {
		std::memcpy(&val, t.get_data_ptr(), len);
		vtd_reg_write(v_, (uint32_t)off, len, val);
		dmi_check(translation_register(v_, (uint32_t)off));
		rearm();
	} else {
		t.set_response_status(::tlm::TLM_COMMAND_ERROR_RESPONSE);
		return;
	}
	t.set_response_status(::tlm::TLM_OK_RESPONSE);
}

// ---- device requests ------------------------------------------------------

// The request's extension, or nullptr (and a generic error) when the
// payload is not a request the unit takes.
request_ext *iommu::valid_request(tlm_generic_payload &t)
{
	request_ext *x = nullptr;

	t.get_extension(x);
	if (!x || t.get_byte_enable_ptr() || !t.get_data_length() ||
	    t.get_streaming_width() < t.get_data_length() ||
	    (!t.is_read() && !t.is_write())) {
		t.set_response_status(::tlm::TLM_GENERIC_ERROR_RESPONSE);
		return nullptr;
	}
	return x;
}

void iommu::upstream_b_transport(tlm_generic_payload &t, sc_time &delay)
{
	request_ext *x = valid_request(t);

	if (!x)
		return;
	upstream_request(t, *x, delay);
	rearm();
}

void iommu::upstream_request(tlm_generic_payload &t, request_ext &x,
			     sc_time &delay)
{
	switch (x.at) {
	case address_type::untranslated:
		untranslated(t, x, delay);
		return;
	case address_type::translation_request:
		translation_request(t, x, delay);
		return;
	case address_type::translated:
		translated(t, x, delay);
		return;
	case address_type::page_request:
		page_request(t, x, delay);
		return;
	}
	t.set_response_status(::tlm::TLM_COMMAND_ERROR_RESPONSE);
}

struct vtd_request iommu::request_of(const tlm_generic_payload &t,
				     const request_ext &x)
{
	struct vtd_request req;

	req.sid = x.rid;
	req.has_pasid = x.has_pasid;
	req.pasid = x.pasid;
	req.priv = x.priv;
	req.exec = x.exec;
	req.access = t.is_write() ? VTD_ACCESS_WRITE : VTD_ACCESS_READ;
	req.addr = t.get_address();
	return req;
}

// An ATS translation request (a write command asks for write permission):
// the completion in the extension, and its PCIe data entry (8 bytes,
// little-endian) in the payload's data when there is room. UR and CA
// complete with TLM_ADDRESS_ERROR_RESPONSE. Untimed for now, as the
// model's raw translation requests are (docs/systemc.md).
void iommu::translation_request(tlm_generic_payload &t, request_ext &x,
				sc_time &delay)
{
	struct vtd_request req = request_of(t, x);
	struct vtd_ats_completion c;

	catch_up(delay);
	vtd_ats_translate(v_, &req, &c);
	x.ats = c.status;
	x.ok = c.status == VTD_ATS_SUCCESS;
	x.fault = c.fault;
	x.translated = c.addr;
	x.size = c.size;
	x.s = c.size > VTD_PAGE_SIZE;
	x.u = c.u;
	x.r = c.r;
	x.w = c.w;
	x.x = c.exe;
	x.global = c.global;
	x.latency_ps = 0;
	if (t.get_data_length() >= sizeof(c.data))
		std::memcpy(t.get_data_ptr(), &c.data, sizeof(c.data));
	t.set_response_status(x.ok ? ::tlm::TLM_OK_RESPONSE
				   : ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

// A PRI page request message: to the unit's page request handling
// (checked against the context/PASID entries, queued or answered at once
// on overflow or error, the answer a page group response on endpoints).
// A message, no data: it always completes with TLM_OK_RESPONSE.
void iommu::page_request(tlm_generic_payload &t, request_ext &x, sc_time &delay)
{
	struct vtd_page_request pr = {};

	catch_up(delay);
	pr.sid = x.rid;
	pr.has_pasid = x.has_pasid;
	pr.pasid = x.pasid;
	pr.priv = x.priv;
	pr.exec = x.exec;
	pr.read = !t.is_write();
	pr.write = t.is_write();
	pr.addr = t.get_address() & ~(uint64_t)(VTD_PAGE_SIZE - 1);
	pr.prgi = x.prgi & 0x1ff;
	pr.lpig = x.lpig;
	vtd_page_request(v_, &pr);
	x.ok = true;
	x.latency_ps = 0;
	t.set_response_status(::tlm::TLM_OK_RESPONSE);
}

// A translated request (AT=10b): allowed or blocked as the context or
// PASID entry says, then the data at the address as given.
void iommu::translated(tlm_generic_payload &t, request_ext &x, sc_time &delay)
{
	struct vtd_request req = request_of(t, x);
	struct vtd_result res;
	page_list pages;
	uint64_t *pa;
	unsigned int n;

	catch_up(delay);
	x.ok = vtd_translated_request(v_, &req, &res);
	x.fault = x.ok ? 0 : res.fault;
	x.latency_ps = 0;
	if (!x.ok) {
		t.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	n = pages_of(req.addr, t.get_data_length());
	pa = pages.get(n);
	pa[0] = req.addr; /* as given, page after page */
	for (unsigned int i = 1; i < n; i++)
		pa[i] = (req.addr & ~(VTD_PAGE_SIZE - 1)) + i * VTD_PAGE_SIZE;
	if (!data(t, pa))
		return;
	t.set_response_status(::tlm::TLM_OK_RESPONSE);
}

// A DMA: translated page by page as vtd_dma does, timed by the timing
// model, then the data moved through the memory socket.
void iommu::untranslated(tlm_generic_payload &t, request_ext &x, sc_time &delay)
{
	struct vtd_request req = request_of(t, x);
	struct vtd_dma_result res;
	unsigned int n = pages_of(req.addr, t.get_data_length());
	page_list pages;
	uint64_t ready_ps, *pa = pages.get(n);
	uint64_t cookie = x.cookie ? x.cookie : (1ULL << 63) + ++cookies_;
	bool ok;

	catch_up(delay);
	ready_ps = (uint64_t)((sc_core::sc_time_stamp() + delay).to_seconds() *
				      1e12 +
			      0.5);
	done_[cookie] = not_done;
	ok = vtd_dma_pages(v_, &req, t.get_data_length(), ready_ps, cookie,
			   &res, pa, n);
	// the result, as the unit decided it when it took the request
	x.ok = ok;
	x.fault = ok ? 0 : res.last.fault;
	x.fault_addr = ok ? 0 : res.fault_addr;
	x.translated = ok ? pa[0] : 0;
	t.set_dmi_allowed(ok && pass_through(res.first.mode));
	x.latency_ps = await(cookie, delay);
	if (!ok) {
		t.set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	if (!data(t, pa))
		return;
	t.set_response_status(::tlm::TLM_OK_RESPONSE);
}

// The latency of request cookie, when the timing model has it (0 when
// untimed), and the caller's delay to its end.
uint64_t iommu::await(uint64_t cookie, sc_time &delay)
{
	uint64_t ps, lat;

	if (lt_ == lt_timing::annotate) {
		vtd_timing_flush(v_); // this one's completion now
	} else {
		sc_core::wait(delay); // in step with simulation time
		delay = sc_core::SC_ZERO_TIME;
		while (done_[cookie] == not_done && vtd_timing_next(v_, &ps)) {
			uint64_t now = now_ns(), wake = ps / 1000 + 1;

			if (wake > now)
				sc_core::wait(sc_time((double)(wake - now),
						      sc_core::SC_NS));
			catch_up(sc_core::SC_ZERO_TIME);
			rearm();
		}
	}
	lat = done_[cookie];
	done_.erase(cookie);
	if (lat == not_done)
		return 0; // untimed
	if (lt_ == lt_timing::annotate)
		delay += sc_time((double)lat, sc_core::SC_PS);
	return lat;
}

// ---- approximately timed ----------------------------------------------------
//
// The base protocol's four phases. BEGIN_REQ of an untranslated request is
// admitted at once (TLM_UPDATED, END_REQ) while fewer than timing.slots
// requests are in flight, else held without END_REQ (the initiator may not
// send another request until it comes): the unit's backpressure. Admitted,
// the request is decided and joins the timing model with the others in
// flight; when the timing model completes it, its data moves and
// BEGIN_RESP goes back, one response at a time (END_RESP or TLM_COMPLETED
// before the next). Translation and translated requests, untimed, complete
// on BEGIN_REQ (TLM_COMPLETED).

::tlm::tlm_sync_enum iommu::upstream_nb_fw(tlm_generic_payload &t,
					   ::tlm::tlm_phase &ph, sc_time &delay)
{
	request_ext *x;

	if (ph == ::tlm::END_RESP) {
		if (&t == at_resp_) {
			at_resp_ = nullptr;
			if (t.has_mm())
				t.release();
			at_wake_.notify(delay);
		}
		return ::tlm::TLM_COMPLETED;
	}
	if (ph != ::tlm::BEGIN_REQ)
		return ::tlm::TLM_ACCEPTED; // nothing else is the initiator's
	x = valid_request(t);
	if (!x || x->at != address_type::untranslated) {
		if (x)
			upstream_request(t, *x, delay);
		rearm();
		ph = ::tlm::BEGIN_RESP;
		return ::tlm::TLM_COMPLETED;
	}
	if (!at_waiting_.empty() ||
	    at_flight_.size() >= vtd_get_config(v_)->timing.slots) {
		if (t.has_mm())
			t.acquire();
		at_waiting_.push_back(&t);
		return ::tlm::TLM_ACCEPTED;
	}
	at_admit(t, delay);
	ph = ::tlm::END_REQ;
	return ::tlm::TLM_UPDATED;
}

void iommu::at_admit(tlm_generic_payload &t, const sc_time &delay)
{
	request_ext *x = nullptr;
	struct vtd_request req;
	struct vtd_dma_result res;
	uint64_t cookie, ready_ps;
	unsigned int n;

	t.get_extension(x);
	req = request_of(t, *x);
	n = pages_of(req.addr, t.get_data_length());
	cookie = x->cookie ? x->cookie : (1ULL << 63) + ++cookies_;
	at_job &j = at_flight_[cookie];
	j.t = &t;
	j.pa.resize(n);
	if (t.has_mm() && at_waiting_.empty())
		t.acquire(); // a held request was acquired when it arrived
	catch_up(delay);
	ready_ps = (uint64_t)((sc_core::sc_time_stamp() + delay).to_seconds() *
				      1e12 +
			      0.5);
	done_[cookie] = not_done;
	j.ok = vtd_dma_pages(v_, &req, t.get_data_length(), ready_ps, cookie,
			     &res, j.pa.data(), n);
	x->ok = j.ok;
	x->fault = j.ok ? 0 : res.last.fault;
	x->fault_addr = j.ok ? 0 : res.fault_addr;
	x->translated = j.ok ? j.pa[0] : 0;
	at_wake_.notify(sc_core::SC_ZERO_TIME);
}

void iommu::at_complete(uint64_t cookie, at_job &j, uint64_t latency_ps)
{
	request_ext *x = nullptr;

	j.t->get_extension(x);
	x->latency_ps = latency_ps;
	if (!j.ok)
		j.t->set_response_status(::tlm::TLM_ADDRESS_ERROR_RESPONSE);
	else if (data(*j.t, j.pa.data()))
		j.t->set_response_status(::tlm::TLM_OK_RESPONSE);
	at_done_.push_back(j.t);
	done_.erase(cookie);
}

// BEGIN_RESP for the completed requests, one at a time.
void iommu::at_respond()
{
	while (!at_resp_ && !at_done_.empty()) {
		tlm_generic_payload *t = at_done_.front();
		::tlm::tlm_phase ph = ::tlm::BEGIN_RESP;
		sc_time d = sc_core::SC_ZERO_TIME;
		::tlm::tlm_sync_enum s;

		at_done_.pop_front();
		at_resp_ = t;
		s = upstream->nb_transport_bw(*t, ph, d);
		if (s == ::tlm::TLM_COMPLETED ||
		    (s == ::tlm::TLM_UPDATED && ph == ::tlm::END_RESP)) {
			at_resp_ = nullptr;
			if (t->has_mm())
				t->release();
		}
	}
}

// The timing model run to now; completed requests answered, held ones
// admitted in their place; woken again at the timing model's next step.
void iommu::at_run()
{
	uint64_t ps;
	bool timed;

	catch_up(sc_core::SC_ZERO_TIME);
	rearm();
	timed = vtd_timing_next(v_, &ps);
	for (auto it = at_flight_.begin(); it != at_flight_.end();) {
		uint64_t lat = done_[it->first];

		if (lat == not_done && timed) {
			++it;
			continue;
		}
		at_complete(it->first, it->second, lat == not_done ? 0 : lat);
		it = at_flight_.erase(it);
	}
	at_respond();
	while (!at_waiting_.empty() &&
	       at_flight_.size() < vtd_get_config(v_)->timing.slots) {
		tlm_generic_payload *t = at_waiting_.front();
		::tlm::tlm_phase ph = ::tlm::END_REQ;
		sc_time d = sc_core::SC_ZERO_TIME;

		at_admit(*t, d);
		at_waiting_.pop_front();
		upstream->nb_transport_bw(*t, ph, d);
	}
	if (!at_flight_.empty() && vtd_timing_next(v_, &ps)) {
		uint64_t now = now_ns(), wake = ps / 1000 + 1;

		at_wake_.notify(sc_time((double)(wake > now ? wake - now : 0),
					sc_core::SC_NS));
	}
}

// The data of a request, each page's part at pa[page] (the first from the
// request's address, the others from their page's start).
bool iommu::data(tlm_generic_payload &t, const uint64_t *pa)
{
	uint64_t in = t.get_address(), len = t.get_data_length(), done = 0;
	unsigned int i = 0;

	while (done < len) {
		uint64_t left =
			VTD_PAGE_SIZE - ((in + done) & (VTD_PAGE_SIZE - 1));
		uint64_t n = len - done < left ? len - done : left;

		if (mem_access(t.get_command(), pa[i++],
			       t.get_data_ptr() + done, n)) {
			t.set_response_status(
				::tlm::TLM_ADDRESS_ERROR_RESPONSE);
			return false;
		}
		done += n;
	}
	return true;
}

// ---- the platform's memory ------------------------------------------------

int iommu::mem_access(::tlm::tlm_command cmd, uint64_t pa, void *buf,
		      size_t len)
{
	tlm_generic_payload t;
	sc_time d = sc_core::SC_ZERO_TIME;

	t.set_command(cmd);
	t.set_address(pa);
	t.set_data_ptr(static_cast<unsigned char *>(buf));
	t.set_data_length((unsigned int)len);
	t.set_streaming_width((unsigned int)len);
	t.set_byte_enable_ptr(nullptr);
	t.set_dmi_allowed(false);
	t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
	memory->b_transport(t, d);
	return t.is_response_ok() ? 0 : -1;
}

int iommu::host_read(void *o, uint64_t pa, void *buf, size_t len)
{
	return static_cast<iommu *>(o)->mem_access(::tlm::TLM_READ_COMMAND, pa,
						   buf, len);
}

int iommu::host_write(void *o, uint64_t pa, const void *buf, size_t len)
{
	return static_cast<iommu *>(o)->mem_access(
		::tlm::TLM_WRITE_COMMAND, pa, const_cast<void *>(buf), len);
}

void iommu::host_interrupt(void *o, enum vtd_irq_source src, uint64_t addr,
			   uint32_t data)
{
	iommu *u = static_cast<iommu *>(o);
	tlm_generic_payload t;
	sc_time d = sc_core::SC_ZERO_TIME;

	(void)src;
	t.set_command(::tlm::TLM_WRITE_COMMAND);
	t.set_address(addr);
	t.set_data_ptr(reinterpret_cast<unsigned char *>(&data));
	t.set_data_length(4);
	t.set_streaming_width(4);
	t.set_byte_enable_ptr(nullptr);
	t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
	u->msi->b_transport(t, d);
}

void iommu::host_timed(void *o, const struct vtd_timing *t)
{
	iommu *u = static_cast<iommu *>(o);

	auto d = u->done_.find(t->cookie);

	if (d != u->done_.end()) // one of this socket's requests
		d->second = vtd_timing_latency_ps(t);
	if (u->obs_.timed)
		u->obs_.timed(u->obs_opaque_, t);
}

void iommu::host_stale(void *o, const struct vtd_stale_report *r)
{
	iommu *u = static_cast<iommu *>(o);

	if (u->obs_.stale)
		u->obs_.stale(u->obs_opaque_, r);
}

void iommu::host_timing(void *o, const struct vtd_timing_event *ev)
{
	iommu *u = static_cast<iommu *>(o);

	if (u->obs_.timing)
		u->obs_.timing(u->obs_opaque_, ev);
}

void iommu::host_busy(void *o, const struct vtd_resource_use *u)
{
	iommu *m = static_cast<iommu *>(o);

	if (m->obs_.busy)
		m->obs_.busy(m->obs_opaque_, u);
}

// ---- toward endpoints -------------------------------------------------------
//
// A device-TLB invalidation request or page group response to a function
// without an endpoint model goes out on endpoints as a write to the
// function's requester ID (the address), the message in an
// endpoint_msg_ext and, as data, its bytes. Unbound: nowhere (an
// invalidation then times out, as to a function that never answers).

void iommu::host_ep_message(void *o, const struct vtd_ep_message *m)
{
	iommu *u = static_cast<iommu *>(o);
	tlm_generic_payload t;
	endpoint_msg_ext x;
	sc_time d = sc_core::SC_ZERO_TIME;

	if (!u->endpoints.size())
		return;
	x.msg = *m;
	t.set_command(::tlm::TLM_WRITE_COMMAND);
	t.set_address(m->sid);
	t.set_data_ptr(reinterpret_cast<unsigned char *>(&x.msg));
	t.set_data_length(sizeof(x.msg));
	t.set_streaming_width(sizeof(x.msg));
	t.set_byte_enable_ptr(nullptr);
	t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
	t.set_extension(&x);
	u->endpoints->b_transport(t, d);
	t.clear_extension(&x);
	if (m->type != VTD_EP_MSG_DEVTLB_INV || !x.completed ||
	    !t.is_response_ok())
		return;
	// in the unit's time (as its own endpoints' completions are), so a
	// driver waiting on the unit's clock sees it
	vtd_devtlb_inv_done(u->v_, m->token,
			    (uint64_t)(d.to_seconds() * 1e9 + 0.5));
}

void iommu::devtlb_inv_done(uint64_t token, const sc_time &delay)
{
	uint64_t at = now_ns(delay), now;

	catch_up(sc_core::SC_ZERO_TIME);
	now = vtd_now(v_);
	vtd_devtlb_inv_done(v_, token, at > now ? at - now : 0);
	rearm();
}

} // namespace tlm
} // namespace vtdsim
