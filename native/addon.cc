// The native boundary of mcr: the only translation unit that includes napi.h.
// It exports plain functions; later the data plane object lives behind it.
// Nothing here may touch a packet: JS values stop at this file.
#include <napi.h>

#include "version.h"

namespace {

Napi::Object Version(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("addon", Napi::String::New(env, mcr::kAddonVersion));
  out.Set("napi", Napi::Number::New(env, NAPI_VERSION));
  out.Set("cplusplus", Napi::Number::New(env, static_cast<double>(__cplusplus)));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  return exports;
}

}  // namespace

NODE_API_MODULE(mcr_native, Init)
