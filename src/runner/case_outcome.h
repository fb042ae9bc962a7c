#pragma once
// How a case ends when it does not finish: one rule for every runner
// (throughput cases, training to a result). Needs torch (c10::Error).

#include <torch/torch.h>

#include <cmath>
#include <exception>
#include <string>

#include "core/error.h"
#include "results/record.h"
#include "runner/interrupt.h"

namespace effbench {

/// Thrown inside a case when Ctrl-C arrived; the case is recorded "interrupted".
struct Interrupted {};

/// Throws Interrupted once Ctrl-C has arrived (at a case's safe points).
inline void throw_if_interrupted() {
  if (interrupt_requested()) throw Interrupted{};
}

/// Throws effbench::Error when a training loss is NaN or infinite; `when`
/// says where it was seen ("by iteration 12", "in epoch 3").
inline void check_finite_loss(double loss, const std::string& when) {
  if (std::isfinite(loss)) return;
  throw Error("loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " " + when +
              " (diverged training; try a lower learning rate)");
}

/// First line of an error message (LibTorch's carry a C++ backtrace after it).
inline std::string first_line(const std::string& what) {
  const auto newline = what.find('\n');
  return newline == std::string::npos ? what : what.substr(0, newline);
}

/// Runs `body`; an interruption or an exception becomes the record's status
/// ("interrupted" | "failed") and error, and the case's figures so far stay
/// for the caller to keep or drop. Returns true when the body finished.
template <typename Body>
bool run_case_guarded(CaseRecord& record, Body&& body) {
  try {
    body();
    return true;
  } catch (const Interrupted&) {
    record.status = CaseStatus::kInterrupted;
    record.error = "interrupted by the user before the case finished";
  } catch (const c10::Error& e) {
    record.status = CaseStatus::kFailed;
    record.error = first_line(e.what_without_backtrace());
  } catch (const std::exception& e) {
    record.status = CaseStatus::kFailed;
    record.error = first_line(e.what());
  }
  return false;
}

}  // namespace effbench
