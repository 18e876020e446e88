// SPDX-License-Identifier: MIT
// The smallest platform around vtdsim::tlm::iommu: memory, an interrupt
// sink and a CPU that reads the unit's version register through MMIO.
// Prints "VER 0xNN" and exits 0 when the read worked.
#include <cstdio>
#include <cstring>

#include <vtdsim/tlm.h>

namespace
{

struct sink : sc_core::sc_module {
	tlm_utils::simple_target_socket<sink> socket;

	explicit sink(sc_core::sc_module_name n)
	    : sc_module(n), socket("socket")
	{
		socket.register_b_transport(this, &sink::b_transport);
	}
	void b_transport(tlm::tlm_generic_payload &t, sc_core::sc_time &)
	{
		if (t.is_read())
			std::memset(t.get_data_ptr(), 0, t.get_data_length());
		t.set_response_status(tlm::TLM_OK_RESPONSE);
	}
};

struct cpu : sc_core::sc_module {
	tlm_utils::simple_initiator_socket<cpu> bus;
	tlm_utils::simple_initiator_socket<cpu> dma; // a device, idle here
	uint32_t ver = 0;
	bool ok = false;

	SC_HAS_PROCESS(cpu);
	explicit cpu(sc_core::sc_module_name n)
	    : sc_module(n), bus("bus"), dma("dma")
	{
		SC_THREAD(run);
	}
	void run()
	{
		tlm::tlm_generic_payload t;
		sc_core::sc_time d = sc_core::SC_ZERO_TIME;

		t.set_command(tlm::TLM_READ_COMMAND);
		t.set_address(0); // VER
		t.set_data_ptr(reinterpret_cast<unsigned char *>(&ver));
		t.set_data_length(4);
		t.set_streaming_width(4);
		t.set_byte_enable_ptr(nullptr);
		bus->b_transport(t, d);
		ok = t.is_response_ok();
	}
};

} // namespace

int sc_main(int, char *[])
{
	struct vtd_config cfg;

	vtd_config_init(&cfg);
	sink mem("mem"), irq("irq");
	cpu c("cpu");
	vtdsim::tlm::iommu unit("iommu", cfg);
	unit.memory.bind(mem.socket);
	unit.msi.bind(irq.socket);
	c.bus.bind(unit.mmio);
	c.dma.bind(unit.upstream);
	sc_core::sc_start();
	std::printf("VER 0x%02x\n", c.ver);
	return c.ok && c.ver ? 0 : 1;
}
