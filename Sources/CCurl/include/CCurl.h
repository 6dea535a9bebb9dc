// SPDX-License-Identifier: Apache-2.0
// C shim for libcurl (libcurl4-openssl-dev). curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call: one typed wrapper per argument kind.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

CURLcode CCurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode CCurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode CCurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
/// The signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*CCurl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode CCurl_easy_setopt_write_function(CURL *handle, CCurl_data_callback callback);
CURLcode CCurl_easy_setopt_header_function(CURL *handle, CCurl_data_callback callback);
CURLcode CCurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLMcode CCurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

#endif
