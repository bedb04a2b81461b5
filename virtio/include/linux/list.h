/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The kernel's circular doubly linked list.
 *
 * The virtio core keeps its drivers, devices and each device's queues on
 * these lists, as Linux does.
 */
#ifndef _VLAB_LINUX_LIST_H
#define _VLAB_LINUX_LIST_H

#include <linux/kernel.h>

/** A list node, or a list head when it is the anchor of a list. */
struct list_head {
	struct list_head *next;	/**< following node (the head at the end) */
	struct list_head *prev;	/**< preceding node (the head at the start) */
};

/** Static initialiser of an empty list anchored at @p name. */
#define LIST_HEAD_INIT(name) { &(name), &(name) }
/** Define and initialise an empty list anchored at @p name. */
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

/**
 * INIT_LIST_HEAD() - make @p list an empty list.
 * @param list the anchor to initialise.
 */
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

/**
 * list_add_tail() - append @p entry before @p head (at the list's end).
 * @param entry the node to insert.
 * @param head the list anchor.
 */
static inline void list_add_tail(struct list_head *entry,
				 struct list_head *head)
{
	entry->prev = head->prev;
	entry->next = head;
	head->prev->next = entry;
	head->prev = entry;
}

/**
 * list_add() - insert @p entry right after @p head (at the list's front).
 * @param entry the node to insert.
 * @param head the list anchor.
 */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	entry->prev = head;
	entry->next = head->next;
	head->next->prev = entry;
	head->next = entry;
}

/**
 * list_del() - unlink @p entry and poison it so a later use is caught.
 * @param entry the node to remove.
 */
static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = NULL;
	entry->prev = NULL;
}

/**
 * list_empty() - tell whether a list has no entries.
 * @param head the list anchor.
 *
 * @return true when the list is empty.
 */
static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/** The structure of type @p type that holds list node @p ptr as @p member. */
#define list_entry(ptr, type, member) container_of(ptr, type, member)

/** The first entry of the non-empty list @p head. */
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)

/** Walk the entries of list @p head; @p pos is the loop cursor. */
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))

/** As list_for_each_entry(), but @p pos may be removed inside the loop. */
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, typeof(*pos), member),	\
	     n = list_entry(pos->member.next, typeof(*pos), member);	\
	     &pos->member != (head);					\
	     pos = n, n = list_entry(n->member.next, typeof(*n), member))

#endif /* _VLAB_LINUX_LIST_H */
