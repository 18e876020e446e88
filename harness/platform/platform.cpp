// SPDX-License-Identifier: MIT
// The example virtual platform's modules (platform.h, docs/systemc.md).
#include <cstring>

#include "platform.h"

namespace vtdsim
{
namespace platform
{

using sc_core::sc_time;
using ::tlm::tlm_generic_payload;

static void payload(tlm_generic_payload &t, ::tlm::tlm_command cmd,
		    uint64_t addr, void *buf, unsigned int len)
{
	t.set_command(cmd);
	t.set_address(addr);
	t.set_data_ptr(static_cast<unsigned char *>(buf));
	t.set_data_length(len);
	t.set_streaming_width(len);
	t.set_byte_enable_ptr(nullptr);
	t.set_dmi_allowed(false);
	t.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
}

// ---- memory ---------------------------------------------------------------

memory::memory(sc_core::sc_module_name n, uint64_t size)
    : sc_module(n), cpu("cpu"), iommu("iommu"), m(sparse_mem_create(size))
{
	if (!m)
		throw std::bad_alloc();
	cpu.register_b_transport(this, &memory::b_transport);
	iommu.register_b_transport(this, &memory::b_transport);
}

memory::~memory()
{
	sparse_mem_destroy(m);
}

void memory::b_transport(tlm_generic_payload &t, sc_time &)
{
	int rc = -1;

	if (t.is_read())
		rc = sparse_mem_read(m, t.get_address(), t.get_data_ptr(),
				     t.get_data_length());
	else if (t.is_write())
		rc = sparse_mem_write(m, t.get_address(), t.get_data_ptr(),
				      t.get_data_length());
	t.set_response_status(rc ? ::tlm::TLM_ADDRESS_ERROR_RESPONSE
				 : ::tlm::TLM_OK_RESPONSE);
}

// ---- the CPU's bus ----------------------------------------------------------

bus::bus(sc_core::sc_module_name n, uint64_t base)
    : sc_module(n), in("in"), mmio("mmio"), mem("mem"), mmio_base(base)
{
	in.register_b_transport(this, &bus::b_transport);
}

void bus::b_transport(tlm_generic_payload &t, sc_time &d)
{
	uint64_t a = t.get_address();

	if (a >= mmio_base && a - mmio_base < VTD_PAGE_SIZE) {
		t.set_address(a - mmio_base);
		mmio->b_transport(t, d);
		t.set_address(a);
		return;
	}
	mem->b_transport(t, d);
}

// ---- interrupts -----------------------------------------------------------

irq_controller::irq_controller(sc_core::sc_module_name n)
    : sc_module(n), in("in")
{
	in.register_b_transport(this, &irq_controller::b_transport);
}

void irq_controller::b_transport(tlm_generic_payload &t, sc_time &)
{
	messages++;
	t.set_response_status(::tlm::TLM_OK_RESPONSE);
}

// ---- DMA traffic ----------------------------------------------------------

dma_generator::dma_generator(sc_core::sc_module_name n, bool threads)
    : sc_module(n), out("out"), threads_(threads)
{
}

dma_generator::job &dma_generator::free_job()
{
	for (auto &j : jobs_)
		if (!j->busy)
			return *j;
	jobs_.push_back(std::make_unique<job>());
	return *jobs_.back();
}

void dma_generator::send(job *j)
{
	j->t.set_extension(&j->x);
	out->b_transport(j->t, j->local);
	j->t.clear_extension(&j->x);
	j->busy = false;
}

bool dma_generator::issue(const struct vtd_request *req, uint64_t len,
			  uint64_t cookie, const sc_time &local,
			  struct vtd_dma_result *res)
{
	job &j = free_job();
	vtdsim::tlm::request_ext &x = j.x;

	std::memset(res, 0, sizeof(*res));
	if (len > UINT32_MAX) // a payload's length
		len = UINT32_MAX;
	// writes carry zeros (the replayer moves no data; zeros into memory
	// never written keep it as it is); reads return what memory holds
	j.data.assign(len, 0);
	payload(j.t,
		req->access == VTD_ACCESS_READ ? ::tlm::TLM_READ_COMMAND
					       : ::tlm::TLM_WRITE_COMMAND,
		req->addr, j.data.data(), (unsigned int)len);
	x = vtdsim::tlm::request_ext();
	x.rid = req->sid;
	x.has_pasid = req->has_pasid;
	x.pasid = req->pasid;
	x.priv = req->priv;
	x.exec = req->exec;
	x.cookie = cookie;
	j.local = local;
	j.busy = true;
	if (threads_) {
		sc_core::sc_spawn(sc_bind(&dma_generator::send, this, &j));
		// let it reach the unit, which decides it on taking it
		sc_core::wait(sc_core::SC_ZERO_TIME);
	} else {
		send(&j);
	}
	requests++;
	res->ok = x.ok;
	res->first.ok = x.ok;
	res->first.addr = x.translated;
	res->last.fault = x.fault;
	res->fault_addr = x.fault_addr;
	if (!x.ok)
		blocked++;
	return x.ok;
}

// ---- the CPU and its software ---------------------------------------------

cpu::cpu(sc_core::sc_module_name n, const std::string &trace,
	 const struct replay_options &opt, vtdsim::tlm::iommu &u, memory &m,
	 dma_generator &g, uint64_t base)
    : sc_module(n), bus("bus"), trace_(trace), opt_(opt), unit_(u), mem_(m),
      dma_(g), mmio_base_(base)
{
	plat_.opaque = this;
	plat_.unit = unit;
	plat_.memory = memory_of;
	plat_.bus.read = read;
	plat_.bus.write = write;
	plat_.bus.reg_read = reg_read;
	plat_.bus.reg_write = reg_write;
	plat_.bus.opaque = this;
	plat_.wait_until = wait_until;
	plat_.dma = dma;
	opt_.platform = &plat_;
	SC_THREAD(run);
}

void cpu::run()
{
	qk_.reset();
	exit_code = replay_file(trace_.c_str(), &opt_, nullptr);
	qk_.sync();
}

int cpu::access(::tlm::tlm_command cmd, uint64_t addr, void *buf,
		unsigned int len)
{
	tlm_generic_payload t;
	sc_time d = qk_.get_local_time();

	payload(t, cmd, addr, buf, len);
	bus->b_transport(t, d);
	return t.is_response_ok() ? 0 : -1;
}

struct vtd *cpu::unit(void *o, const struct vtd_config *cfg,
		      const struct vtd_host_ops *observer, void *obs, char *err,
		      size_t errlen)
{
	cpu *c = static_cast<cpu *>(o);

	// built at elaboration from the same resolved configuration
	if (std::memcmp(cfg, vtd_get_config(c->unit_.model()), sizeof(*cfg))) {
		std::snprintf(err, errlen,
			      "the unit was built for another configuration");
		return nullptr;
	}
	c->unit_.observe(observer, obs);
	return c->unit_.model();
}

struct sparse_mem *cpu::memory_of(void *o)
{
	return static_cast<cpu *>(o)->mem_.m;
}

int cpu::read(void *o, uint64_t pa, void *buf, size_t len)
{
	return static_cast<cpu *>(o)->access(::tlm::TLM_READ_COMMAND, pa, buf,
					     (unsigned int)len);
}

int cpu::write(void *o, uint64_t pa, const void *buf, size_t len)
{
	return static_cast<cpu *>(o)->access(::tlm::TLM_WRITE_COMMAND, pa,
					     const_cast<void *>(buf),
					     (unsigned int)len);
}

uint64_t cpu::reg_read(void *o, uint32_t off, unsigned int size)
{
	cpu *c = static_cast<cpu *>(o);
	uint64_t v = 0;

	if (c->access(::tlm::TLM_READ_COMMAND, c->mmio_base_ + off, &v, size))
		return 0;
	return v;
}

void cpu::reg_write(void *o, uint32_t off, unsigned int size, uint64_t val)
{
	cpu *c = static_cast<cpu *>(o);

	c->access(::tlm::TLM_WRITE_COMMAND, c->mmio_base_ + off, &val, size);
}

// Temporal decoupling: the software runs ahead of simulation time by up to
// the global quantum, then lets the rest of the platform catch up.
void cpu::wait_until(void *o, uint64_t t_ns)
{
	cpu *c = static_cast<cpu *>(o);
	sc_time t((double)t_ns, sc_core::SC_NS);
	sc_time now = sc_core::sc_time_stamp() + c->qk_.get_local_time();

	if (t <= now)
		return;
	c->qk_.set(t - sc_core::sc_time_stamp());
	if (c->qk_.need_sync())
		c->qk_.sync();
}

bool cpu::dma(void *o, const struct vtd_request *req, uint64_t len,
	      uint64_t ready_ps, uint64_t cookie, struct vtd_dma_result *res)
{
	cpu *c = static_cast<cpu *>(o);

	(void)ready_ps; // the local time, as wait_until set it
	return c->dma_.issue(req, len, cookie, c->qk_.get_local_time(), res);
}

// ---- the platform ---------------------------------------------------------

top::top(const std::string &trace, const struct replay_options &opt,
	 const struct vtd_config &cfg, uint64_t mem_size, uint64_t mmio_base,
	 vtdsim::tlm::lt_timing lt)
    : mem("memory", mem_size), membus("bus", mmio_base), irq("irq"),
      dma("dma", lt == vtdsim::tlm::lt_timing::wait), unit("iommu", cfg),
      core("cpu", trace, opt, unit, mem, dma, mmio_base)
{
	core.bus.bind(membus.in);
	membus.mmio.bind(unit.mmio);
	membus.mem.bind(mem.cpu);
	unit.memory.bind(mem.iommu);
	unit.msi.bind(irq.in);
	dma.out.bind(unit.upstream);
	unit.set_lt_timing(lt);
}

} // namespace platform
} // namespace vtdsim
