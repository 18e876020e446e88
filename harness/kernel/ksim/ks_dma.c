// SPDX-License-Identifier: MIT
/*
 * vtdsim driver harness, kernel side: what the DMA API (kernel/dma/mapping.c,
 * direct.c, drivers/iommu/dma-iommu.c, all compiled) asks of the rest of the
 * kernel. No device here needs bounce buffering: the endpoints address all of
 * memory and none is untrusted, so swiotlb is never active and reaching it is
 * a harness failure. Managed (devres) allocations are not offered.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/swiotlb.h>
#include <linux/uio.h>
#include <linux/jump_label.h>
#include "ksim.h"

bool static_key_initialized = true;

const char *dev_driver_string(const struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	if (drv)
		return drv->name;
	return dev->bus ? dev->bus->name : "";
}

/* ---- swiotlb: never active ----------------------------------------------- */

static void ks_no_swiotlb(const char *what)
{
	vk_fail(__FILE__, __LINE__, "%s: swiotlb is not in the harness", what);
}

bool is_swiotlb_active(struct device *dev)
{
	return false;
}

size_t swiotlb_max_mapping_size(struct device *dev)
{
	return SIZE_MAX;
}

phys_addr_t swiotlb_tbl_map_single(struct device *hwdev, phys_addr_t phys,
				   size_t mapping_size,
				   unsigned int alloc_aligned_mask,
				   enum dma_data_direction dir,
				   unsigned long attrs)
{
	ks_no_swiotlb(__func__);
	return (phys_addr_t)DMA_MAPPING_ERROR;
}

dma_addr_t swiotlb_map(struct device *dev, phys_addr_t phys, size_t size,
		       enum dma_data_direction dir, unsigned long attrs)
{
	ks_no_swiotlb(__func__);
	return DMA_MAPPING_ERROR;
}

void __swiotlb_tbl_unmap_single(struct device *hwdev, phys_addr_t tlb_addr,
				size_t mapping_size,
				enum dma_data_direction dir,
				unsigned long attrs, struct io_tlb_pool *pool)
{
	ks_no_swiotlb(__func__);
}

void __swiotlb_sync_single_for_device(struct device *dev, phys_addr_t tlb_addr,
				      size_t size, enum dma_data_direction dir,
				      struct io_tlb_pool *pool)
{
	ks_no_swiotlb(__func__);
}

void __swiotlb_sync_single_for_cpu(struct device *dev, phys_addr_t tlb_addr,
				   size_t size, enum dma_data_direction dir,
				   struct io_tlb_pool *pool)
{
	ks_no_swiotlb(__func__);
}

/* ---- devres: the dmam_* calls fail as out of memory ------------------------
 */

void *__devres_alloc_node(dr_release_t release, size_t size, gfp_t gfp, int nid,
			  const char *name)
{
	return NULL;
}

void devres_free(void *res)
{
	WARN_ON(res);
}

void devres_add(struct device *dev, void *res)
{
	WARN_ON(1);
}

int devres_destroy(struct device *dev, dr_release_t release, dr_match_t match,
		   void *match_data)
{
	return -ENOENT;
}

/* ---- iov_iter: lib/scatterlist.c's extract_iter_to_sg() is not reached ----
 */

void iov_iter_advance(struct iov_iter *i, size_t bytes)
{
	vk_fail(__FILE__, __LINE__, "iov_iter is not in the harness");
}

ssize_t iov_iter_extract_pages(struct iov_iter *i, struct page ***pages,
			       size_t maxsize, unsigned int maxpages,
			       iov_iter_extraction_t extraction_flags,
			       size_t *offset0)
{
	vk_fail(__FILE__, __LINE__, "iov_iter is not in the harness");
	return -EFAULT;
}
