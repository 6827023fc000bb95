// wpctl's exit codes and subcommands.
#pragma once

namespace wpctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1; // an input missing or invalid, refused removal, drift
inline constexpr int kExitUsage = 2;   // usage, write or internal error

int cmd_merge(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_unpin(int argc, char **argv);
int cmd_audit(int argc, char **argv);

} // namespace wpctl
