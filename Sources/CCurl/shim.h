#ifndef NNZOO_CCURL_SHIM_H
#define NNZOO_CCURL_SHIM_H
// libcurl's easy interface for HTTPDownloader. curl_easy_setopt and curl_easy_getinfo are
// variadic, which Swift cannot call: these wrappers fix the argument type per call.
#include <curl/curl.h>

typedef size_t (*nnzoo_curl_data_function)(char *data, size_t size, size_t count, void *context);
typedef int (*nnzoo_curl_progress_function)(
    void *context, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total, curl_off_t uploaded);

static inline CURLcode nnzoo_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode nnzoo_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode nnzoo_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode nnzoo_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode nnzoo_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode nnzoo_curl_set_write_function(CURL *handle, nnzoo_curl_data_function function) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}
static inline CURLcode nnzoo_curl_set_header_function(CURL *handle, nnzoo_curl_data_function function) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, function);
}
static inline CURLcode nnzoo_curl_set_progress_function(CURL *handle, nnzoo_curl_progress_function function) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, function);
}
// Only http and https, for the request and any redirect (a redirect to file:// is refused).
// CURLOPT_PROTOCOLS_STR came in libcurl 7.85; older ones (Ubuntu 22.04 has 7.81) take a bit mask.
static inline CURLcode nnzoo_curl_only_web(CURL *handle) {
#if LIBCURL_VERSION_NUM >= 0x075500
    CURLcode code = curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    return code != CURLE_OK ? code : curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    CURLcode code = curl_easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    return code != CURLE_OK ? code
                            : curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}
static inline CURLcode nnzoo_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
static inline CURLcode nnzoo_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
#endif
