// Errors are values: Result<T> holds either a T or an Error whose message names
// the file, key or value at fault. No exceptions cross module boundaries.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace wp {

// What kind of fault an error is; the pipeline maps it to an exit code.
enum class Fault {
    Usage,     // bad command line, malformed node config or state: exit 2
    Input,     // bad pod input (annotation, override): governed by failurePolicy
    Untrusted, // a trusted file failed its owner/mode/type checks
    System,    // a syscall failed (cgroup write, read-back mismatch, ...)
};

struct Error {
    Fault fault = Fault::System;
    std::string message;
};

inline Error make_error(Fault f, std::string msg) {
    return Error{f, std::move(msg)};
}

template <class T> class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error err) : v_(std::in_place_index<1>, std::move(err)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T &value() & { return std::get<0>(v_); }
    const T &value() const & { return std::get<0>(v_); }
    T &&value() && { return std::get<0>(std::move(v_)); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    const Error &error() const { return std::get<1>(v_); }
    Error &&take_error() { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
    return Ok{};
}

} // namespace wp
