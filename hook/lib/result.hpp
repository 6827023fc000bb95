// Errors are values: Result<T> holds either a T or an Error whose message names
// the file, key or value at fault. No exceptions cross module boundaries.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wp {

// What kind of fault an error is. outcome.hpp holds the one table that maps a
// fault to the run's exit code and outcome, whichever step meets it.
enum class Fault {
    Usage,     // the hook's invocation: bad command line, malformed OCI state
    Config,    // a node file is malformed: the node config, the merged partition file
    Input,     // bad pod or runtime input: annotations, override, bundle, cgroup paths
    Untrusted, // a trusted file failed its owner/mode/type checks
    System,    // a syscall failed (cgroup write, read-back mismatch, ...)
};

struct Error {
    Fault fault = Fault::System;
    std::string message; // names the file, key or value at fault, outermost context first
    int sys_errno = 0;   // the errno behind a failed system call, 0 when none
};

inline Error make_error(Fault f, std::string msg) {
    return Error{f, std::move(msg), 0};
}

// An error from a failed system call: "<msg>: <strerror(e)>", errno kept.
Error make_errno_error(Fault f, int e, std::string msg);

// Adds context in front of an error's message ("<context>: <message>"), keeping its
// fault and errno, like crun's crun_error_wrap: each layer names what it was doing
// instead of rebuilding the message.
inline Error wrap(Error e, std::string_view context) {
    e.message = std::string(context) + ": " + e.message;
    return e;
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

// The same for a Result: the value passes, an error gets the context.
template <class T> Result<T> wrap(Result<T> r, std::string_view context) {
    if (r) return r;
    return wrap(r.take_error(), context);
}

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
    return Ok{};
}

} // namespace wp
