// exchange(a, b): swaps two paths in one system call, renameat2(RENAME_EXCHANGE) on Linux 3.15
// and later; both must exist, on one file system. Throws an Error shaped as Node's fs errors
// (code "ENOENT", "EINVAL", "ENOSYS", ..., errno, syscall, path, dest). Called through
// syscall(2), so a C library without the renameat2 wrapper (glibc before 2.28, older musl)
// builds it too; elsewhere than Linux it always throws ENOSYS. See src/util/rename-exchange.ts.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int exchange_paths(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
  return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
  (void)a;
  (void)b;
  errno = ENOSYS;
  return -1;
#endif
}

// The name Node gives an errno (uv_err_name), for the errors rename can return.
static const char *errno_name(int error) {
  switch (error) {
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EDQUOT: return "EDQUOT";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EIO: return "EIO";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case EMLINK: return "EMLINK";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTSUP: return "ENOTSUP";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case EXDEV: return "EXDEV";
    default: return "UNKNOWN";
  }
}

#define CHECK(call)                                 \
  do {                                              \
    if ((call) != napi_ok) return NULL;             \
  } while (0)

// A string argument as a NUL-terminated copy (freed by the caller); NULL after throwing.
static char *path_argument(napi_env env, napi_value value, const char *name) {
  napi_valuetype type;
  CHECK(napi_typeof(env, value, &type));
  if (type != napi_string) {
    char message[64];
    snprintf(message, sizeof message, "%s must be a string", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return NULL;
  }
  size_t length;
  CHECK(napi_get_value_string_utf8(env, value, NULL, 0, &length));
  char *path = malloc(length + 1);
  if (path == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, path, length + 1, &length) != napi_ok) {
    free(path);
    return NULL;
  }
  if (strlen(path) != length) {
    free(path);
    char message[64];
    snprintf(message, sizeof message, "%s must not contain null bytes", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return NULL;
  }
  return path;
}

static void throw_errno(napi_env env, int error, const char *a, const char *b) {
  const char *name = errno_name(error);
  const char *text = strerror(error);
  size_t size = strlen(name) + strlen(text) + strlen(a) + strlen(b) + 40;
  char *message = malloc(size);
  if (message == NULL) {
    napi_throw_error(env, name, text);
    return;
  }
  snprintf(message, size, "%s: %s, renameat2 '%s' -> '%s'", name, text, a, b);
  napi_value code, text_value, error_value, errno_value, syscall_value, path_value, dest_value;
  napi_status status = napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  if (status == napi_ok)
    status = napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text_value);
  free(message);
  if (status == napi_ok) status = napi_create_error(env, code, text_value, &error_value);
  if (status == napi_ok) status = napi_create_int32(env, -error, &errno_value);
  if (status == napi_ok)
    status = napi_create_string_utf8(env, "renameat2", NAPI_AUTO_LENGTH, &syscall_value);
  if (status == napi_ok) status = napi_create_string_utf8(env, a, NAPI_AUTO_LENGTH, &path_value);
  if (status == napi_ok) status = napi_create_string_utf8(env, b, NAPI_AUTO_LENGTH, &dest_value);
  if (status == napi_ok) status = napi_set_named_property(env, error_value, "errno", errno_value);
  if (status == napi_ok)
    status = napi_set_named_property(env, error_value, "syscall", syscall_value);
  if (status == napi_ok) status = napi_set_named_property(env, error_value, "path", path_value);
  if (status == napi_ok) status = napi_set_named_property(env, error_value, "dest", dest_value);
  if (status == napi_ok)
    napi_throw(env, error_value);
  else
    napi_throw_error(env, name, text);
}

static napi_value exchange(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "exchange(a, b) takes two paths");
    return NULL;
  }
  char *a = path_argument(env, argv[0], "a");
  if (a == NULL) return NULL;
  char *b = path_argument(env, argv[1], "b");
  if (b == NULL) {
    free(a);
    return NULL;
  }
  if (exchange_paths(a, b) != 0) throw_errno(env, errno, a, b);
  free(a);
  free(b);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value function;
  CHECK(napi_create_function(env, "exchange", NAPI_AUTO_LENGTH, exchange, NULL, &function));
  CHECK(napi_set_named_property(env, exports, "exchange", function));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
