/* agent: the WASM side of an LLM agent loop, as a Wasm Wit (ABI 1, spec chapter 08).
 *
 * The host does the I/O (model calls, tools, persistence); this guest owns the
 * conversation: it keeps the session's message history in its core, turns each
 * user turn or tool result into a prompt for the host to send to a model, records
 * the model's assistant turns, hands their tool calls to the host and counts the
 * steps.  README.md beside this file specifies the behaviour; build.py builds it.
 *
 * Freestanding C: no libc, no allocator; every buffer is static, and since every
 * call runs in a fresh instance (WASM-005) every static starts zeroed.  Malformed
 * input is read without effect and never traps; a transition also stays within
 * ABI 1's output limits (WASM-016, WASM-018) by the read budget below.
 */
#include "gritwit_abi.h"

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define EXPORT(name) __attribute__((export_name(name)))

#define HISTORY_MAX 262144u /* bytes of history; a turn that would pass it is dropped */
#define READ_BUDGET 262144u /* content bytes one transition reads, beyond its first message */
#define MAX_TOOL_CALLS 64u  /* tool calls of one assistant turn */
#define TOOL_BUDGET 448u    /* tool messages one transition sends */
#define MAX_MESSAGES 128u   /* messages one transition reads (each costs host calls) */
#define MAX_DEPTH 32        /* nesting of a structured assistant turn */
#define HEADER_MAX 256u     /* bytes of a tool-call-id header */
#define FAIL 0xFFFFFFFFu

/* --- the freestanding runtime: what the compiler may call ---------------------------- */

void *memcpy(void *dst, const void *src, unsigned long n) {
    u8 *d = dst;
    const u8 *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, unsigned long n) {
    u8 *d = dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

static int eq(const u8 *a, int a_len, const char *b, u32 b_len) {
    if (a_len < 0 || (u32)a_len != b_len) return 0;
    for (u32 i = 0; i < b_len; i++)
        if (a[i] != (u8)b[i]) return 0;
    return 1;
}

#define LIT(s) (s), (sizeof(s) - 1)

/* --- state ---------------------------------------------------------------------------- */

static u8 history[HISTORY_MAX]; /* the core's "history" blob, as it is being extended */
static u8 input[HISTORY_MAX];   /* the content of the message being read */
static u8 scratch[HISTORY_MAX]; /* a minified JSON value */
static u8 sender[GW_ID_LEN], due_sender[GW_ID_LEN];
static u8 header[HEADER_MAX], headers[48], digits[24], name[16];

static u32 hlen;   /* history length; above HISTORY_MAX when the stored one is (then frozen) */
static u32 in_len; /* bytes in input */
static u64 steps;  /* assistant turns since the last reset */
static int overflow, changed, due;
static u32 tools; /* tool messages sent in this transition */

/* --- writing the history -------------------------------------------------------------- */

static void put(const void *src, u32 n) {
    if (overflow || hlen > HISTORY_MAX || n > HISTORY_MAX - hlen) {
        overflow = 1;
        return;
    }
    memcpy(history + hlen, src, n);
    hlen += n;
}

static void put_byte(u8 c) { put(&c, 1); }

/* The length of the UTF-8 sequence at p (left bytes available); 0 when it is not one. */
static u32 utf8_len(const u8 *p, u32 left) {
    u8 c = p[0], lo = 0x80, hi = 0xBF;
    u32 len;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0; /* no overlong forms */
        if (c == 0xED) hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (left < len || p[1] < lo || p[1] > hi) return 0;
    for (u32 k = 2; k < len; k++)
        if ((p[k] & 0xC0) != 0x80) return 0;
    return len;
}

/* Appends the n bytes at s as a JSON string, escaped as JSON.stringify and Python's json.dumps
 * (ensure_ascii=False) escape; 0 when they are not UTF-8. */
static int put_text(const u8 *s, u32 n) {
    static const char hex[] = "0123456789abcdef";
    put_byte('"');
    for (u32 i = 0; i < n && !overflow;) {
        u8 c = s[i];
        if (c >= 0x80) {
            u32 len = utf8_len(s + i, n - i);
            if (!len) return 0;
            put(s + i, len);
            i += len;
            continue;
        }
        if (c == '"' || c == '\\') {
            put_byte('\\');
            put_byte(c);
        } else if (c == '\n') {
            put(LIT("\\n"));
        } else if (c == '\r') {
            put(LIT("\\r"));
        } else if (c == '\t') {
            put(LIT("\\t"));
        } else if (c == '\b') {
            put(LIT("\\b"));
        } else if (c == '\f') {
            put(LIT("\\f"));
        } else if (c < 0x20) {
            put(LIT("\\u00"));
            put_byte((u8)hex[c >> 4]);
            put_byte((u8)hex[c & 15]);
        } else {
            put_byte(c);
        }
        i++;
    }
    put_byte('"');
    return 1;
}

/* --- reading JSON (RFC 8259, strictly) ------------------------------------------------ */

static u32 ws(u32 p) {
    while (p < in_len &&
           (input[p] == ' ' || input[p] == '\t' || input[p] == '\n' || input[p] == '\r'))
        p++;
    return p;
}

static u32 hex4(u32 p) {
    u32 v = 0;
    if (p + 4 > in_len) return FAIL;
    for (u32 k = p; k < p + 4; k++) {
        u8 c = input[k];
        u32 d = c >= '0' && c <= '9'   ? (u32)(c - '0')
                : c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10)
                : c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10)
                                       : 16;
        if (d == 16) return FAIL;
        v = v * 16 + d;
    }
    return v;
}

/* The end of the string starting at p (a '"'): valid escapes, paired surrogates, UTF-8. */
static u32 string_end(u32 p) {
    for (p++; p < in_len;) {
        u8 c = input[p];
        if (c == '"') return p + 1;
        if (c < 0x20) return FAIL;
        if (c >= 0x80) {
            u32 len = utf8_len(input + p, in_len - p);
            if (!len) return FAIL;
            p += len;
        } else if (c != '\\') {
            p++;
        } else if (p + 1 < in_len && input[p + 1] == 'u') {
            u32 v = hex4(p + 2);
            p += 6;
            if (v == FAIL || (v >= 0xDC00 && v <= 0xDFFF)) return FAIL;
            if (v >= 0xD800 && v <= 0xDBFF) {
                u32 w = p + 1 < in_len && input[p] == '\\' && input[p + 1] == 'u' ? hex4(p + 2)
                                                                                   : FAIL;
                if (w == FAIL || w < 0xDC00 || w > 0xDFFF) return FAIL;
                p += 6;
            }
        } else if (p + 1 < in_len) {
            u8 e = input[p + 1];
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                e != 'r' && e != 't')
                return FAIL;
            p += 2;
        } else {
            return FAIL;
        }
    }
    return FAIL;
}

static u32 digits_end(u32 p) {
    u32 start = p;
    while (p < in_len && input[p] >= '0' && input[p] <= '9') p++;
    return p == start ? FAIL : p;
}

static u32 number_end(u32 p) {
    if (input[p] == '-') p++;
    if (p < in_len && input[p] == '0') {
        p++;
    } else {
        p = digits_end(p);
        if (p == FAIL) return FAIL;
    }
    if (p < in_len && input[p] == '.') {
        p = digits_end(p + 1);
        if (p == FAIL) return FAIL;
    }
    if (p < in_len && (input[p] == 'e' || input[p] == 'E')) {
        p++;
        if (p < in_len && (input[p] == '+' || input[p] == '-')) p++;
        p = digits_end(p);
    }
    return p;
}

static u32 word_end(u32 p, const char *word, u32 n) {
    if (n > in_len - p) return FAIL;
    for (u32 k = 0; k < n; k++)
        if (input[p + k] != (u8)word[k]) return FAIL;
    return p + n;
}

/* The end of the JSON value starting at p, nested depth deep; FAIL when it is not one. */
static u32 value_end(u32 p, int depth) {
    if (p >= in_len) return FAIL;
    u8 c = input[p];
    if (c == '"') return string_end(p);
    if (c == 't') return word_end(p, LIT("true"));
    if (c == 'f') return word_end(p, LIT("false"));
    if (c == 'n') return word_end(p, LIT("null"));
    if (c == '-' || (c >= '0' && c <= '9')) return number_end(p);
    if (c != '{' && c != '[') return FAIL;
    if (depth >= MAX_DEPTH) return FAIL;
    u8 close = c == '{' ? '}' : ']';
    p = ws(p + 1);
    if (p < in_len && input[p] == close) return p + 1;
    for (;;) {
        if (c == '{') {
            if (p >= in_len || input[p] != '"') return FAIL;
            p = string_end(p);
            if (p == FAIL) return FAIL;
            p = ws(p);
            if (p >= in_len || input[p] != ':') return FAIL;
            p = ws(p + 1);
        }
        p = value_end(p, depth + 1);
        if (p == FAIL) return FAIL;
        p = ws(p);
        if (p >= in_len) return FAIL;
        if (input[p] == close) return p + 1;
        if (input[p] != ',') return FAIL;
        p = ws(p + 1);
    }
}

/* Whether the valid string input[s, e) (quotes excluded) decodes to the ASCII word w. */
static int key_is(u32 s, u32 e, const char *w, u32 n) {
    u32 k = 0;
    for (u32 p = s; p < e; k++) {
        u32 c = input[p];
        if (c != '\\') {
            p++;
        } else if (input[p + 1] == 'u') {
            c = hex4(p + 2);
            p += 6;
        } else {
            c = input[p + 1];
            c = c == 'b' ? 8 : c == 'f' ? 12 : c == 'n' ? 10 : c == 'r' ? 13 : c == 't' ? 9 : c;
            p += 2;
        }
        if (k >= n || c != (u8)w[k]) return 0;
    }
    return k == n;
}

/* Copies the valid JSON value input[s, e) to dst without insignificant whitespace. */
static u32 minify(u8 *dst, u32 s, u32 e) {
    u32 n = 0;
    int in_string = 0;
    for (u32 p = s; p < e; p++) {
        u8 c = input[p];
        if (in_string) {
            dst[n++] = c;
            if (c == '\\') {
                dst[n++] = input[++p];
            } else if (c == '"') {
                in_string = 0;
            }
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            dst[n++] = c;
            in_string = c == '"';
        }
    }
    return n;
}

static u32 call_start[MAX_TOOL_CALLS], call_end[MAX_TOOL_CALLS], calls;

/* The end of the "tool_calls" array starting at p: at most MAX_TOOL_CALLS objects, whose
 * spans it records in call_start/call_end and counts in calls; FAIL when not one. */
static u32 tool_calls_end(u32 p) {
    if (input[p] != '[') return FAIL;
    p = ws(p + 1);
    if (p < in_len && input[p] == ']') return p + 1;
    for (;;) {
        if (p >= in_len || input[p] != '{' || calls == MAX_TOOL_CALLS) return FAIL;
        u32 e = value_end(p, 2);
        if (e == FAIL) return FAIL;
        call_start[calls] = p;
        call_end[calls++] = e;
        p = ws(e);
        if (p >= in_len) return FAIL;
        if (input[p] == ']') return p + 1;
        if (input[p] != ',') return FAIL;
        p = ws(p + 1);
    }
}

/* A structured assistant turn: a JSON object with an optional "content" (a string or null)
 * and optional "tool_calls" (an array of at most MAX_TOOL_CALLS objects); other members
 * are ignored.  Sets [*cs, *ce) to the content string (FAIL when absent or null) and the
 * calls' spans; 0 when the input is not such a turn. */
static int parse_turn(u32 *cs, u32 *ce) {
    int seen_content = 0, seen_calls = 0;
    *cs = *ce = FAIL;
    calls = 0;
    u32 p = ws(0);
    if (p >= in_len || input[p] != '{') return 0;
    p = ws(p + 1);
    if (p < in_len && input[p] == '}') return ws(p + 1) == in_len;
    for (;;) {
        if (p >= in_len || input[p] != '"') return 0;
        u32 ks = p + 1;
        p = string_end(p);
        if (p == FAIL) return 0;
        u32 ke = p - 1;
        p = ws(p);
        if (p >= in_len || input[p] != ':') return 0;
        u32 vs = ws(p + 1), ve;
        if (vs >= in_len) return 0;
        if (key_is(ks, ke, LIT("tool_calls"))) {
            if (seen_calls) return 0;
            seen_calls = 1;
            ve = tool_calls_end(vs);
        } else {
            ve = value_end(vs, 1);
            if (ve != FAIL && key_is(ks, ke, LIT("content"))) {
                if (seen_content || (input[vs] != '"' && input[vs] != 'n')) return 0;
                seen_content = 1;
                if (input[vs] == '"') *cs = vs, *ce = ve;
            }
        }
        if (ve == FAIL) return 0;
        p = ws(ve);
        if (p >= in_len) return 0;
        if (input[p] == '}') return ws(p + 1) == in_len;
        if (input[p] != ',') return 0;
        p = ws(p + 1);
    }
}

/* --- decimals and header blocks ------------------------------------------------------- */

static u32 format_u64(u64 v) { /* into digits; returns the length */
    u8 tmp[20];
    u32 n = 0, len = 0;
    do {
        tmp[n++] = (u8)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) digits[len++] = tmp[--n];
    return len;
}

/* "mt\0<mt>\0step\0<steps>\0" into headers; returns its length. */
static u32 step_headers(const char *mt, u32 mt_len) {
    u32 n = 0;
    memcpy(headers, "mt", 3);
    n = 3;
    memcpy(headers + n, mt, mt_len);
    n += mt_len;
    headers[n++] = 0;
    memcpy(headers + n, "step", 5);
    n += 5;
    u32 d = format_u64(steps);
    memcpy(headers + n, digits, d);
    n += d;
    headers[n++] = 0;
    return n;
}

/* --- the turns ---------------------------------------------------------------------- */

/* Reads message i's content into input: 0 when it is not a blob or too long. */
static int read_content(u32 i, int size) {
    if (size < 0 || (u32)size > HISTORY_MAX) return 0;
    in_len = (u32)size;
    return gw_msg_read(i, "", 0, input, HISTORY_MAX) == size;
}

/* Ends a turn begun at history length start: kept, or undone on overflow. */
static int end_turn(u32 start, int ok) {
    put(LIT("}\n"));
    if (!ok || overflow) {
        hlen = start;
        overflow = 0;
        return 0;
    }
    changed = 1;
    return 1;
}

static void awaits_model(u32 i) {
    due = 1;
    gw_msg_sender(i, due_sender, GW_ID_LEN);
}

static void user_turn(u32 i, int size) {
    u32 start = hlen;
    if (!read_content(i, size)) return;
    put(LIT("{\"role\":\"user\",\"content\":"));
    if (end_turn(start, put_text(input, in_len))) awaits_model(i);
}

static void tool_result(u32 i, int size) {
    u32 start = hlen;
    int id_len = gw_msg_header(i, LIT("tool-call-id"), header, HEADER_MAX);
    if (id_len == GW_INVALID || id_len > (int)HEADER_MAX || !read_content(i, size)) return;
    put(LIT("{\"role\":\"tool\","));
    int ok = 1;
    if (id_len >= 0) {
        put(LIT("\"tool_call_id\":"));
        ok = put_text(header, (u32)id_len);
        put_byte(',');
    }
    put(LIT("\"content\":"));
    ok = ok && put_text(input, in_len);
    if (end_turn(start, ok)) awaits_model(i);
}

static void assistant_turn(u32 i, int size) {
    u32 start = hlen, cs, ce;
    int ct = gw_msg_header(i, LIT("content-type"), header, HEADER_MAX);
    int structured = eq(header, ct, LIT("application/json"));
    if (!read_content(i, size)) return;
    put(LIT("{\"role\":\"assistant\",\"content\":"));
    int ok = 1;
    calls = 0;
    if (!structured) {
        ok = put_text(input, in_len);
    } else if ((ok = parse_turn(&cs, &ce))) {
        if (cs == FAIL) {
            put(LIT("null"));
        } else {
            put(input + cs, ce - cs);
        }
        if (calls) { /* the array minified, each call's span moved to its copy in history */
            put(LIT(",\"tool_calls\":["));
            for (u32 k = 0; k < calls; k++) {
                if (k) put_byte(',');
                u32 at = hlen;
                put(scratch, minify(scratch, call_start[k], call_end[k]));
                call_start[k] = at;
                call_end[k] = hlen;
            }
            put_byte(']');
        }
    }
    if (!end_turn(start, ok)) return;
    steps++;
    due = 0;
    if (!calls) return;
    gw_msg_sender(i, sender, GW_ID_LEN);
    u32 hdrs_len = step_headers(LIT("tool"));
    for (u32 k = 0; k < calls; k++) {
        u32 n = call_end[k] - call_start[k];
        gw_send(sender, GW_ID_LEN, headers, hdrs_len, history + call_start[k], n, 0);
        tools++;
    }
}

/* --- the exports -------------------------------------------------------------------- */

static u64 stored_steps(void) {
    int n = gw_core_read(LIT("step"), digits, 20);
    u64 v = 0;
    if (n <= 0 || n > 19) return 0;
    for (int k = 0; k < n; k++) {
        if (digits[k] < '0' || digits[k] > '9') return 0;
        v = v * 10 + (u64)(digits[k] - '0');
    }
    return v;
}

EXPORT("step") void step(void) {
    int stored = gw_core_read(LIT("history"), history, HISTORY_MAX);
    hlen = stored < 0 ? 0 : (u32)stored;
    steps = stored_steps();
    u32 count = (u32)gw_msg_count();
    u64 consumed = 0;
    for (u32 i = 0; i < count; i++) {
        int size = gw_msg_read(i, "", 0, input, 0);
        u64 bytes = size < 0 ? 0 : (u64)size;
        if (i == MAX_MESSAGES ||
            (i > 0 && (consumed + bytes > READ_BUDGET || tools + MAX_TOOL_CALLS > TOOL_BUDGET)))
            break; /* the rest waits for the next transition */
        consumed += bytes;
        int mt = gw_msg_header(i, LIT("mt"), name, sizeof name);
        if (eq(name, mt, LIT("user"))) {
            user_turn(i, size);
        } else if (eq(name, mt, LIT("assistant"))) {
            assistant_turn(i, size);
        } else if (eq(name, mt, LIT("tool_result"))) {
            tool_result(i, size);
        } else if (eq(name, mt, LIT("reset"))) {
            hlen = 0;
            steps = 0;
            due = 0;
            changed = 1;
        }
        gw_mark_read(i);
    }
    if (changed) {
        gw_core_set(LIT("history"), history, hlen, "", 0);
        gw_core_set(LIT("step"), digits, format_u64(steps), "", 0);
    }
    if (due) gw_send(due_sender, GW_ID_LEN, headers, step_headers(LIT("prompt")), history, hlen, 0);
}

static const char WUT[] =
    "{\"description\":\"The WASM side of an agent loop: keeps a session's message history "
    "(JSON lines), turns user text and tool results into prompts for the host, records "
    "assistant turns and hands their tool calls to the host.\",\"messages\":["
    "{\"description\":\"User text (UTF-8): appended; the sender gets a prompt.\",\"mt\":\"user\"},"
    "{\"description\":\"A model reply: text, or a JSON turn with header content-type "
    "application/json; appended, one step; each tool call goes to the sender as mt "
    "tool.\",\"mt\":\"assistant\"},"
    "{\"description\":\"A tool's output (UTF-8), header tool-call-id: appended; the sender "
    "gets a prompt.\",\"mt\":\"tool_result\"},"
    "{\"description\":\"Clears the history and the step count.\",\"mt\":\"reset\"}],"
    "\"name\":\"agent\",\"queries\":["
    "{\"description\":\"This description, as JSON.\",\"name\":\"wut\"},"
    "{\"description\":\"The history: one JSON object per line.\",\"name\":\"history\"},"
    "{\"description\":\"The number of assistant turns since the last reset, decimal.\","
    "\"name\":\"step\"}]}";
static const char JSON_HEADERS[] = "content-type\0application/json";

EXPORT("query") void query(void) {
    int n = gw_query_name(name, sizeof name);
    if (eq(name, n, LIT("wut"))) {
        gw_answer(WUT, sizeof WUT - 1, JSON_HEADERS, sizeof JSON_HEADERS);
    } else if (eq(name, n, LIT("history"))) {
        if (gw_answer_core(LIT("history")) != 0) gw_answer("", 0, "", 0);
    } else if (eq(name, n, LIT("step"))) {
        if (gw_answer_core(LIT("step")) != 0) gw_answer(LIT("0"), "", 0);
    }
}
