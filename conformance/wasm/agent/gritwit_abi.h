/* The Wasm Wit ABI, version 1 (spec chapter 08, WASM-007 ... WASM-014), for C guests.
 *
 * Every host function is imported from the module "gritwit", takes only i32
 * parameters and returns one i32 (WASM-007): pointers are offsets into the
 * guest's memory and lengths are byte counts.  A function that returns a value
 * writes min(n, cap) bytes into (buf, cap) and returns n; GW_ABSENT and
 * GW_INVALID are the two failure results.  Nothing here needs a libc.
 */
#ifndef GRITWIT_ABI_H
#define GRITWIT_ABI_H

#define GW_ABSENT (-1)  /* no such message entry, path or header, or not a blob */
#define GW_INVALID (-2) /* a malformed id, path, header block or flags value (WASM-008) */
#define GW_SIGNAL 1u    /* flags bit 0 of gw_send / gw_send_object (WASM-012) */
#define GW_ID_LEN 64    /* an id at the boundary is its 64-byte text form (WASM-008) */

#define GW_IMPORT(name) __attribute__((import_module("gritwit"), import_name(name)))

/* Steps: the pending messages (WASM-009, WASM-010). */
GW_IMPORT("msg_count") int gw_msg_count(void);
GW_IMPORT("msg_sender") int gw_msg_sender(unsigned i, void *buf, unsigned cap);
GW_IMPORT("msg_header")
int gw_msg_header(unsigned i, const void *name, unsigned name_len, void *buf, unsigned cap);
GW_IMPORT("msg_content")
int gw_msg_content(unsigned i, const void *path, unsigned path_len, void *buf, unsigned cap);
GW_IMPORT("msg_read")
int gw_msg_read(unsigned i, const void *path, unsigned path_len, void *buf, unsigned cap);
GW_IMPORT("msg_entry")
int gw_msg_entry(unsigned i, const void *path, unsigned path_len, unsigned k, void *buf,
                 unsigned cap);
GW_IMPORT("mark_read") int gw_mark_read(unsigned i);

/* Steps and queries: the working copy of the core (WASM-011). */
GW_IMPORT("core_read")
int gw_core_read(const void *path, unsigned path_len, void *buf, unsigned cap);
GW_IMPORT("core_set")
int gw_core_set(const void *path, unsigned path_len, const void *data, unsigned len,
                const void *hdrs, unsigned hdrs_len);
GW_IMPORT("core_link")
int gw_core_link(const void *path, unsigned path_len, const void *id, unsigned id_len);
GW_IMPORT("core_delete") int gw_core_delete(const void *path, unsigned path_len);

/* Steps: sending (WASM-012). */
GW_IMPORT("send")
int gw_send(const void *to, unsigned to_len, const void *hdrs, unsigned hdrs_len, const void *data,
            unsigned len, unsigned flags);
GW_IMPORT("send_object")
int gw_send_object(const void *to, unsigned to_len, const void *hdrs, unsigned hdrs_len,
                   const void *id, unsigned id_len, unsigned flags);

/* Queries (WASM-014). */
GW_IMPORT("query_name") int gw_query_name(void *buf, unsigned cap);
GW_IMPORT("answer")
int gw_answer(const void *data, unsigned len, const void *hdrs, unsigned hdrs_len);
GW_IMPORT("answer_core") int gw_answer_core(const void *path, unsigned path_len);

#endif
