/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Scatter-gather lists: how a driver describes the buffers of one
 * request to virtqueue_add_sgs() and friends.
 *
 * As in the kernel, an entry records the page that holds the buffer in
 * @c page_link (with two flag bits in its low bits) and the offset into that
 * page. Here a "page" is the 4 KiB-aligned guest kernel address itself rather
 * than a struct page pointer; sg_virt() and sg_phys() undo it.
 */
#ifndef _VLAB_LINUX_SCATTERLIST_H
#define _VLAB_LINUX_SCATTERLIST_H

#include <string.h>
#include <linux/io.h>
#include <linux/kernel.h>

/** Page size of the guest. */
#define PAGE_SIZE 4096UL
/** Mask that keeps the page part of an address. */
#define PAGE_MASK (~(PAGE_SIZE - 1))

/** page_link bit: this entry links to another scatterlist array. */
#define SG_CHAIN 0x01UL
/** page_link bit: this entry is the last one of the list. */
#define SG_END 0x02UL
/** The page_link bits that are flags, not address. */
#define SG_PAGE_LINK_MASK (SG_CHAIN | SG_END)

/** One contiguous piece of a request's memory. */
struct scatterlist {
	unsigned long page_link;	/**< page address | SG_CHAIN | SG_END */
	unsigned int offset;		/**< byte offset of the buffer in page */
	unsigned int length;		/**< buffer length in bytes */
	dma_addr_t dma_address;		/**< set when the entry is mapped */
};

/**
 * sg_is_last() - tell whether @p sg ends its list.
 * @param sg the entry.
 * @return true when SG_END is set.
 */
static inline bool sg_is_last(const struct scatterlist *sg)
{
	return sg->page_link & SG_END;
}

/**
 * sg_is_chain() - tell whether @p sg links to another array.
 * @param sg the entry.
 * @return true when SG_CHAIN is set.
 */
static inline bool sg_is_chain(const struct scatterlist *sg)
{
	return sg->page_link & SG_CHAIN;
}

/**
 * sg_mark_end() - make @p sg the last entry of its list.
 * @param sg the entry.
 */
static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->page_link |= SG_END;
	sg->page_link &= ~SG_CHAIN;
}

/**
 * sg_set_buf() - point @p sg at @p buflen bytes at @p buf.
 * @param sg the entry.
 * @param buf guest kernel memory (kmalloc'd); the end mark is kept.
 * @param buflen length in bytes.
 */
static inline void sg_set_buf(struct scatterlist *sg, const void *buf,
			      unsigned int buflen)
{
	unsigned long addr = (unsigned long)buf;

	sg->page_link = (addr & PAGE_MASK) | (sg->page_link & SG_END);
	sg->offset = addr & ~PAGE_MASK;
	sg->length = buflen;
}

/**
 * sg_virt() - the buffer an entry describes.
 * @param sg the entry.
 * @return a pointer to its first byte.
 */
static inline void *sg_virt(const struct scatterlist *sg)
{
	return (void *)((sg->page_link & ~SG_PAGE_LINK_MASK) + sg->offset);
}

/**
 * sg_phys() - the guest-physical address of the buffer an entry describes.
 * @param sg the entry.
 * @return the address a device must be given.
 */
static inline dma_addr_t sg_phys(const struct scatterlist *sg)
{
	return virt_to_phys(sg_virt(sg));
}

/**
 * sg_next() - the entry after @p sg, following chain links.
 * @param sg the entry.
 * @return the next entry, or NULL after the last one.
 */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	if (sg_is_last(sg))
		return NULL;
	sg++;
	if (sg_is_chain(sg))
		sg = (struct scatterlist *)(sg->page_link & ~SG_PAGE_LINK_MASK);
	return sg;
}

/**
 * sg_init_table() - clear an array of @p nents entries and mark its end.
 * @param sgl the array.
 * @param nents its length.
 */
static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	sg_mark_end(&sgl[nents - 1]);
}

/**
 * sg_init_one() - a one-entry list for one buffer.
 * @param sg the entry.
 * @param buf guest kernel memory.
 * @param buflen length in bytes.
 */
static inline void sg_init_one(struct scatterlist *sg, const void *buf,
			       unsigned int buflen)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, buflen);
}

#endif /* _VLAB_LINUX_SCATTERLIST_H */
