/*
 * Runs every test vector (test-vectors/cases, flattened by flatten_vectors.py) through the C
 * interface, then the error paths. Built and run by scripts/test-c.sh, under valgrind.
 *
 * Usage: vectors FLAT_FILE      exit status 0 when every check passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        checks++;                                                          \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);           \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

#define MAX_ITEMS 16

/* One case of the flat file. Every string is NUL-terminated; status lists keep their length. */
typedef struct {
    char *name, *trust_store, *trust_list, *policy, *policies, *challenge, *text, *verdict, *code;
    long long clock, skew;
    char *roots[MAX_ITEMS];
    size_t n_roots;
    IkdBytes status_lists[MAX_ITEMS];
    size_t n_status_lists;
    char *seen[MAX_ITEMS];
    size_t n_seen;
    char *list_errors[MAX_ITEMS];
    size_t n_list_errors;
    char *stages[MAX_ITEMS];
    size_t n_stages;
} Case;

static void case_free(Case *c) {
    free(c->name); free(c->trust_store); free(c->trust_list); free(c->policy); free(c->policies);
    free(c->challenge); free(c->text); free(c->verdict); free(c->code);
    for (size_t i = 0; i < c->n_roots; i++) free(c->roots[i]);
    for (size_t i = 0; i < c->n_status_lists; i++) free((void *)c->status_lists[i].data);
    for (size_t i = 0; i < c->n_seen; i++) free(c->seen[i]);
    for (size_t i = 0; i < c->n_list_errors; i++) free(c->list_errors[i]);
    for (size_t i = 0; i < c->n_stages; i++) free(c->stages[i]);
    memset(c, 0, sizeof *c);
}

/* Reads a line "<key> <n>\n"; 0 at the end of the file. */
static int read_header(FILE *f, char key[64], size_t *n) {
    if (fscanf(f, " %63s %zu", key, n) != 2) return 0;
    return fgetc(f) == '\n';
}

/* Reads `len` bytes and the newline after them, NUL-terminated. */
static char *read_body(FILE *f, size_t len) {
    char *data = malloc(len + 1);
    if (!data) { perror("malloc"); exit(2); }
    if (fread(data, 1, len, f) != len || fgetc(f) != '\n') { fprintf(stderr, "truncated vectors file\n"); exit(2); }
    data[len] = '\0';
    return data;
}

static int is_list(const char *key) {
    return strcmp(key, "roots") == 0 || strcmp(key, "status_lists") == 0 || strcmp(key, "seens") == 0 ||
           strcmp(key, "list_errors") == 0 || strcmp(key, "stages") == 0;
}

/* Reads one case; 0 at the end of the file. */
static int read_case(FILE *f, Case *c) {
    char key[64];
    size_t n;
    memset(c, 0, sizeof *c);
    while (read_header(f, key, &n)) {
        if (strcmp(key, "end") == 0) return 1;
        if (is_list(key)) {
            /* "<key>s <count>", then <count> fields "<key> <len>\n<bytes>\n". */
            for (size_t i = 0; i < n; i++) {
                char item_key[64];
                size_t len;
                if (i >= MAX_ITEMS || !read_header(f, item_key, &len)) { fprintf(stderr, "bad list %s\n", key); exit(2); }
                char *item = read_body(f, len);
                if (strcmp(item_key, "root") == 0) c->roots[c->n_roots++] = item;
                else if (strcmp(item_key, "status_list") == 0) {
                    c->status_lists[c->n_status_lists].data = (const uint8_t *)item;
                    c->status_lists[c->n_status_lists++].len = len;
                } else if (strcmp(item_key, "seen") == 0) c->seen[c->n_seen++] = item;
                else if (strcmp(item_key, "list_error") == 0) c->list_errors[c->n_list_errors++] = item;
                else if (strcmp(item_key, "stage") == 0) c->stages[c->n_stages++] = item;
                else { fprintf(stderr, "unknown item %s\n", item_key); exit(2); }
            }
            continue;
        }
        char *v = read_body(f, n);
        if (strcmp(key, "name") == 0) c->name = v;
        else if (strcmp(key, "clock") == 0) { c->clock = atoll(v); free(v); }
        else if (strcmp(key, "skew") == 0) { c->skew = atoll(v); free(v); }
        else if (strcmp(key, "trust_store") == 0) c->trust_store = v;
        else if (strcmp(key, "trust_list") == 0) c->trust_list = v;
        else if (strcmp(key, "policy") == 0) c->policy = v;
        else if (strcmp(key, "policies") == 0) c->policies = v;
        else if (strcmp(key, "challenge") == 0) c->challenge = v;
        else if (strcmp(key, "text") == 0) c->text = v;
        else if (strcmp(key, "verdict") == 0) c->verdict = v;
        else if (strcmp(key, "code") == 0) c->code = v;
        else { fprintf(stderr, "unknown field %s\n", key); exit(2); }
    }
    return 0;
}

static const char *verdict_name(IkdVerdict v) {
    switch (v) {
    case IKD_VERDICT_VALID: return "VALID";
    case IKD_VERDICT_INVALID: return "INVALID";
    case IKD_VERDICT_UNDETERMINED: return "UNDETERMINED";
    default: return "ERROR";
    }
}

static IkdVerifier *verifier_of(const Case *c, IkdError **err) {
    if (c->trust_list) {
        return ikd_verifier_from_trust_list((const uint8_t *)c->trust_list, strlen(c->trust_list),
                                            (const char *const *)c->roots, c->n_roots, c->status_lists,
                                            c->n_status_lists, NULL, c->skew, err);
    }
    return ikd_verifier_from_trust_store(c->trust_store, NULL, c->skew, err);
}

static size_t count(const char *haystack, const char *needle) {
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

static void run_case(const Case *c) {
    IkdError *err = NULL;
    IkdVerifier *v = verifier_of(c, &err);
    CHECK(v != NULL && err == NULL, "%s: verifier: %s", c->name, ikd_error_message(err));
    if (!v) { ikd_error_free(err); return; }

    char *lists = ikd_verifier_list_errors_json(v);
    CHECK(lists != NULL, "%s: list errors", c->name);
    CHECK(count(lists, "\"code\":") == c->n_list_errors, "%s: list errors %s", c->name, lists);
    for (size_t i = 0; i < c->n_list_errors; i++) {
        char want[160];
        snprintf(want, sizeof want, "\"code\":\"%s\"", c->list_errors[i]);
        CHECK(strstr(lists, want) != NULL, "%s: list error %s not in %s", c->name, c->list_errors[i], lists);
    }
    ikd_string_free(lists);

    IkdVerifyOptions o;
    memset(&o, 0, sizeof o);
    o.has_now = true;
    o.now_unix_seconds = c->clock;
    o.policy = c->policy;
    o.policies_json = c->policies;
    if (c->challenge) {
        o.challenge = (const uint8_t *)c->challenge;
        o.challenge_len = strlen(c->challenge);
    }
    for (size_t i = 0; i < c->n_seen; i++) {
        IkdVerdict s = ikd_verify(v, c->seen[i], &o, NULL, &err);
        CHECK(s == IKD_VERDICT_VALID && err == NULL, "%s: seen_before %zu: %s", c->name, i, verdict_name(s));
    }

    char *view = NULL;
    IkdVerdict got = ikd_verify(v, c->text, &o, &view, &err);
    CHECK(err == NULL && view != NULL, "%s: verify failed: %s", c->name, ikd_error_code(err));
    CHECK(strcmp(verdict_name(got), c->verdict) == 0, "%s: verdict %s, want %s", c->name, verdict_name(got),
          c->verdict);
    if (view) {
        /* The view starts with the verdict and the code (the core's field order). */
        char want[256];
        snprintf(want, sizeof want, "{\"verdict\":\"%s\",\"code\":\"%s\",", c->verdict, c->code);
        CHECK(strncmp(view, want, strlen(want)) == 0, "%s: view starts %.80s, want %s", c->name, view, want);
        CHECK(count(view, "{\"check\":") == c->n_stages, "%s: %zu checks reported, want %zu", c->name,
              count(view, "{\"check\":"), c->n_stages);
        for (size_t i = 0; i < c->n_stages; i++) {
            char check[64], outcome[64];
            const char *eq = strchr(c->stages[i], '=');
            if (!eq) continue;
            snprintf(check, sizeof check, "%.*s", (int)(eq - c->stages[i]), c->stages[i]);
            snprintf(outcome, sizeof outcome, "%s", eq + 1);
            snprintf(want, sizeof want, "{\"check\":\"%s\",\"outcome\":\"%s\"", check, outcome);
            CHECK(strstr(view, want) != NULL, "%s: %s not in the report", c->name, want);
        }
        /* Claims are shown only when VALID. */
        if (got != IKD_VERDICT_VALID) CHECK(strstr(view, "\"claims\":null") != NULL, "%s: claims shown", c->name);
    }
    ikd_string_free(view);
    ikd_error_free(err);
    ikd_verifier_free(v);
}

/* Expects `verdict` to be IKD_VERDICT_ERROR with `code`, and frees the error. */
static void expect_error(const char *what, IkdVerdict verdict, IkdError *err, const char *code) {
    /* (Called with the verdict already computed: see VERIFY_ERROR.) */
    CHECK(verdict == IKD_VERDICT_ERROR, "%s: verdict %d", what, (int)verdict);
    CHECK(err != NULL && strcmp(ikd_error_code(err), code) == 0, "%s: code %s, want %s", what,
          err ? ikd_error_code(err) : "(none)", code);
    CHECK(err == NULL || strlen(ikd_error_message(err)) > 0, "%s: empty message", what);
    ikd_error_free(err);
}

/* ikd_verify, then the check: the call must run before `err` is read (C leaves the order in
   which a function's arguments are evaluated unspecified). */
#define VERIFY_ERROR(what, v, text, o, code)                                      \
    do {                                                                      \
        IkdError *e_ = NULL;                                                  \
        IkdVerdict r_ = ikd_verify((v), (text), (o), &view, &e_);             \
        expect_error((what), r_, e_, (code));                                 \
    } while (0)

static void error_paths(const Case *valid) {
    IkdError *err = NULL;
    char *view = (char *)1; /* must be overwritten with NULL on failure */

    /* Bad trust store JSON, and NULL where a value is required. */
    CHECK(ikd_verifier_from_trust_store("{not json", "en", -1, &err) == NULL, "bad json accepted");
    CHECK(err && strcmp(ikd_error_code(err), "trust_bad_json") == 0, "bad json: %s", ikd_error_code(err));
    IkdError *err_id = NULL;
    CHECK(ikd_verifier_from_trust_store("{not json", NULL, -1, &err_id) == NULL, "bad json accepted");
    /* English on request, Bahasa Indonesia by default. */
    CHECK(err && err_id && strcmp(ikd_error_message(err), ikd_error_message(err_id)) != 0, "messages: %s / %s",
          ikd_error_message(err), ikd_error_message(err_id));
    ikd_error_free(err);
    ikd_error_free(err_id);
    CHECK(ikd_verifier_from_trust_store(NULL, NULL, -1, &err) == NULL, "NULL store accepted");
    CHECK(err && strcmp(ikd_error_code(err), "bad_argument") == 0, "NULL store: %s", ikd_error_code(err));
    ikd_error_free(err);
    /* error may be NULL: the failure is still reported by the return value, nothing leaks. */
    CHECK(ikd_verifier_from_trust_store("[]", NULL, -1, NULL) == NULL, "bad store accepted");

    /* A root that is not a public key; roots NULL with a count. */
    const char *bad_root[] = {"ikdpk1:not-a-key"};
    CHECK(ikd_verifier_from_trust_list((const uint8_t *)"x", 1, bad_root, 1, NULL, 0, NULL, -1, &err) == NULL,
          "bad root accepted");
    CHECK(err && strncmp(ikd_error_code(err), "key_", 4) == 0, "bad root: %s", ikd_error_code(err));
    ikd_error_free(err);
    CHECK(ikd_verifier_from_trust_list((const uint8_t *)"x", 1, NULL, 2, NULL, 0, NULL, -1, &err) == NULL,
          "NULL roots accepted");
    CHECK(err && strcmp(ikd_error_code(err), "bad_argument") == 0, "NULL roots: %s", ikd_error_code(err));
    ikd_error_free(err);
    CHECK(ikd_verifier_from_trust_list(NULL, 5, NULL, 0, NULL, 0, NULL, -1, &err) == NULL, "NULL list accepted");
    CHECK(err && strcmp(ikd_error_code(err), "bad_argument") == 0, "NULL list: %s", ikd_error_code(err));
    ikd_error_free(err);

    IkdVerifier *v = ikd_verifier_from_trust_store(valid->trust_store, NULL, -1, &err);
    CHECK(v && !err, "valid store refused");
    if (!v) return;

    IkdVerifyOptions o;
    memset(&o, 0, sizeof o);
    o.has_now = true;
    o.now_unix_seconds = valid->clock;

    /* NULL verifier, NULL text, text not UTF-8. */
    VERIFY_ERROR("NULL verifier", NULL, valid->text, &o, "bad_argument");
    CHECK(view == NULL, "view not cleared on failure");
    err = NULL;
    VERIFY_ERROR("NULL text", v, NULL, &o, "bad_argument");
    VERIFY_ERROR("not UTF-8", v, "IKD1:\xff\xfe", &o, "bad_argument");

    /* Unknown policy, bad policy file, challenge pointer NULL with a length is simply none. */
    o.policy = "no-such-policy";
    VERIFY_ERROR("unknown policy", v, valid->text, &o, "policy_unknown");
    o.policy = NULL;
    o.policies_json = "{";
    VERIFY_ERROR("bad policy file", v, valid->text, &o, "policy_bad_json");
    o.policies_json = NULL;

    /* An oversized text is INVALID decode_too_large, not an error. */
    size_t big = 100000;
    char *text = malloc(big + 6);
    memcpy(text, "IKD1:", 5);
    memset(text + 5, 'A', big);
    text[big + 5] = '\0';
    IkdVerdict r = ikd_verify(v, text, &o, &view, &err);
    CHECK(r == IKD_VERDICT_INVALID && err == NULL, "oversized: %d", (int)r);
    CHECK(view && strstr(view, "\"code\":\"decode_too_large\""), "oversized code");
    ikd_string_free(view);
    free(text);

    /* English on request; the NIK masked by default, shown on request; NULL options = defaults. */
    o.lang = "en";
    r = ikd_verify(v, valid->text, &o, &view, &err);
    CHECK(r == IKD_VERDICT_VALID && view && strstr(view, "\"lang\":\"en\""), "english");
    CHECK(view && strstr(view, "\"nik\":\"************0003\""), "masked NIK");
    ikd_string_free(view);
    o.show_nik = true;
    r = ikd_verify(v, valid->text, &o, &view, &err);
    CHECK(view && strstr(view, "\"nik\":\"3604055708900003\""), "full NIK");
    ikd_string_free(view);
    r = ikd_verify(v, valid->text, NULL, NULL, NULL);
    CHECK(r != IKD_VERDICT_ERROR, "NULL options, view and error");

    /* Freeing NULL is allowed; error accessors on NULL give "". */
    ikd_verifier_free(NULL);
    ikd_string_free(NULL);
    ikd_error_free(NULL);
    CHECK(strcmp(ikd_error_code(NULL), "") == 0 && strcmp(ikd_error_message(NULL), "") == 0, "NULL error");
    CHECK(ikd_verifier_list_errors_json(NULL) == NULL, "list errors of NULL");
    CHECK(strlen(ikd_version()) > 0, "version");
    ikd_verifier_free(v);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FLAT_VECTORS\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    Case c, valid;
    int n = 0, have_valid = 0;
    while (read_case(f, &c)) {
        run_case(&c);
        n++;
        if (strcmp(c.name, "valid-typical-woman") == 0) { valid = c; have_valid = 1; }
        else case_free(&c);
    }
    fclose(f);
    CHECK(n >= 40, "only %d vectors", n);
    CHECK(have_valid, "valid-typical-woman missing");
    if (have_valid) { error_paths(&valid); case_free(&valid); }
    printf("ikd C vectors: %d cases, %d checks, %d failures (libikd_capi %s)\n", n, checks, failures, ikd_version());
    return failures == 0 ? 0 : 1;
}
