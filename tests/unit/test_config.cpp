// SPDX-License-Identifier: MIT
// Configuration: defaults, keys, validation, independent instances.
#include "fixture.h"

namespace
{

TEST(Config, DefaultsDescribeAScalableModeUnitWithNesting)
{
	vtd_config c;
	char err[128];
	vtd_config_init(&c);
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), 0) << err;
	EXPECT_TRUE(c.ecap & VTD_ECAP_SMTS);
	EXPECT_TRUE(c.ecap & VTD_ECAP_NEST);
	EXPECT_TRUE(c.ecap & VTD_ECAP_QI);
	EXPECT_EQ(VTD_CAP_MGAW(c.cap), 57u);
	EXPECT_EQ(c.haw, 46u);
}

TEST(Config, KeysSetFieldsOfCapEcapAndCaches)
{
	vtd_config c;
	char err[128];
	vtd_config_init(&c);
	ASSERT_EQ(vtd_config_set(&c, "cap.mgaw", "48", err, sizeof(err)), 0);
	EXPECT_EQ(VTD_CAP_MGAW(c.cap), 48u);
	ASSERT_EQ(vtd_config_set(&c, "cap.psi", "off", err, sizeof(err)), 0);
	EXPECT_FALSE(c.cap & VTD_CAP_PSI);
	ASSERT_EQ(vtd_config_set(&c, "ecap.nest", "0", err, sizeof(err)), 0);
	EXPECT_FALSE(c.ecap & VTD_ECAP_NEST);
	ASSERT_EQ(vtd_config_set(&c, "iotlb.sets", "128", err, sizeof(err)), 0);
	ASSERT_EQ(vtd_config_set(&c, "iotlb.repl", "fifo", err, sizeof(err)),
		  0);
	EXPECT_EQ(c.cache[VTD_CACHE_IOTLB].sets, 128u);
	EXPECT_EQ(c.cache[VTD_CACHE_IOTLB].repl, VTD_REPL_FIFO);
	ASSERT_EQ(vtd_config_set(&c, "check", "on", err, sizeof(err)), 0);
	EXPECT_TRUE(c.check_stale);
}

TEST(Config, UnknownKeysAndBadValuesAreRejectedWithAMessage)
{
	vtd_config c;
	char err[128] = "";
	vtd_config_init(&c);
	EXPECT_EQ(vtd_config_set(&c, "iotlb.size", "1", err, sizeof(err)), -1);
	EXPECT_NE(std::string(err).find("iotlb.size"), std::string::npos);
	EXPECT_EQ(vtd_config_set(&c, "cap.mgaw", "x", err, sizeof(err)), -1);
	EXPECT_EQ(vtd_config_set(&c, "cap.nd", "8", err, sizeof(err)), -1);
	EXPECT_EQ(vtd_config_set(&c, "iotlb.repl", "mru", err, sizeof(err)),
		  -1);
}

TEST(Config, ValidationRejectsImpossibleGeometryAndFeatureSets)
{
	vtd_config c;
	char err[128];
	vtd_config_init(&c);
	c.cache[VTD_CACHE_IOTLB].sets = 12;
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), -1);
	vtd_config_init(&c);
	c.ecap &= ~VTD_ECAP_QI;
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), -1);
	// device-TLBs are invalidated only through the queue
	vtd_config_init(&c);
	c.ecap &= ~(VTD_ECAP_QI | VTD_ECAP_SMTS | VTD_ECAP_PASID |
		    VTD_ECAP_PRS | VTD_ECAP_NEST);
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), -1);
	EXPECT_STREQ(err, "ecap.dt needs ecap.qi");
	c.ecap &= ~VTD_ECAP_DT;
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), 0) << err;
	vtd_config_init(&c);
	c.num_fault_regs = 0;
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), -1);
	vtd_config_init(&c);
	c.haw = 60;
	EXPECT_EQ(vtd_config_validate(&c, err, sizeof(err)), -1);
	EXPECT_EQ(vtd_create(&c, nullptr, nullptr, err, sizeof(err)), nullptr);
}

TEST(Config, EveryKeyRoundTripsThroughItsTextValue)
{
	vtd_config c, d;
	char err[128];
	vtd_config_init(&c);
	vtd_config_init(&d);
	d.cap = 0;
	d.ecap = 0;
	for (size_t i = 0; i < vtd_config_key_count(); i++) {
		const char *key, *help;
		char value[64];
		vtd_config_key(&c, i, &key, &help, value, sizeof(value));
		EXPECT_EQ(vtd_config_set(&d, key, value, err, sizeof(err)), 0)
			<< key << "=" << value << ": " << err;
	}
	EXPECT_EQ(d.cap, c.cap);
	EXPECT_EQ(d.ecap, c.ecap);
	EXPECT_EQ(memcmp(d.cache, c.cache, sizeof(c.cache)), 0);
}

TEST(Instances, TwoInstancesKeepIndependentState)
{
	vtdtest::Model a, b;
	a.wr64(VTD_REG_RTADDR, 0x1000);
	EXPECT_EQ(a.rd64(VTD_REG_RTADDR) & VTD_RTADDR_RTA_MASK, 0x1000u);
	EXPECT_EQ(b.rd64(VTD_REG_RTADDR), 0u);
}

} // namespace
