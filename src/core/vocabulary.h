#pragma once
// The words of effbench's records as types (c10's DeviceType and Device are
// the model): parsed once where they come in (the command line, a JSON
// document, the database), compared as enums inside, and written as strings
// only where a record is written or shown. Each enum's names are listed
// once, in its Words<> table below.

#include <array>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include "core/error.h"

namespace effbench {

/// How a case ended.
enum class CaseStatus { kOk, kFailed, kInterrupted };
/// Where a run stands: running until its last case, then complete,
/// interrupted (Ctrl-C) or incomplete (a data-parallel rank fault, data that
/// could not be loaded).
enum class RunStatus { kRunning, kComplete, kInterrupted, kIncomplete };
/// What a case measures.
enum class Mode { kTrain, kInfer };
/// How a model's step is executed (Notes in runner/execution.h).
enum class Exec { kEager, kFused, kGraph };
/// Numeric precision (Note [Precision modes] in runner/precision.h).
enum class Precision { kFp32, kTf32, kBf16, kFp16 };
/// Where an energy figure comes from.
enum class EnergySource { kNvmlEnergyCounter, kNvmlPowerIntegral, kRapl, kEstimate };
/// Gross energy, or net of the idle baseline (--idle-s).
enum class EnergyBasis { kGross, kNet };

/// Each enum's names, in declaration order, and what the enum is called in messages (one, several).
template <typename E>
struct Words;

template <>
struct Words<CaseStatus> {
  static constexpr const char* kWhat = "case status";
  static constexpr const char* kWhatPlural = "case statuses";
  static constexpr std::array<const char*, 3> kNames = {"ok", "failed", "interrupted"};
};
template <>
struct Words<RunStatus> {
  static constexpr const char* kWhat = "run status";
  static constexpr const char* kWhatPlural = "run statuses";
  static constexpr std::array<const char*, 4> kNames = {"running", "complete", "interrupted", "incomplete"};
};
template <>
struct Words<Mode> {
  static constexpr const char* kWhat = "mode";
  static constexpr const char* kWhatPlural = "modes";
  static constexpr std::array<const char*, 2> kNames = {"train", "infer"};
};
template <>
struct Words<Exec> {
  static constexpr const char* kWhat = "execution mode";
  static constexpr const char* kWhatPlural = "execution modes";
  static constexpr std::array<const char*, 3> kNames = {"eager", "fused", "graph"};
};
template <>
struct Words<Precision> {
  static constexpr const char* kWhat = "precision";
  static constexpr const char* kWhatPlural = "precisions";
  static constexpr std::array<const char*, 4> kNames = {"fp32", "tf32", "bf16", "fp16"};
};
template <>
struct Words<EnergySource> {
  static constexpr const char* kWhat = "energy source";
  static constexpr const char* kWhatPlural = "energy sources";
  static constexpr std::array<const char*, 4> kNames = {"nvml-energy-counter", "nvml-power-integral", "rapl",
                                                        "estimate"};
};
template <>
struct Words<EnergyBasis> {
  static constexpr const char* kWhat = "energy basis";
  static constexpr const char* kWhatPlural = "energy bases";
  static constexpr std::array<const char*, 2> kNames = {"gross", "net"};
};

/// The word for `value`, as records and screens show it.
template <typename E>
std::string to_string(E value) {
  return Words<E>::kNames.at(static_cast<size_t>(value));
}

/// Streams the word (messages, test output).
template <typename E, typename = decltype(Words<E>::kNames)>
std::ostream& operator<<(std::ostream& out, E value) {
  return out << to_string(value);
}

/// "a, b, c": every word of E, for messages.
template <typename E>
std::string word_list() {
  std::string text;
  for (const char* name : Words<E>::kNames) text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}

/// The enum value named `text`. Throws effbench::Error naming `input` (a
/// flag, a JSON field, a file) and the value: "--mode: unknown mode 'eval';
/// valid modes: train, infer".
template <typename E>
E parse_word(const std::string& text, const std::string& input) {
  for (size_t i = 0; i < Words<E>::kNames.size(); ++i) {
    if (text == Words<E>::kNames[i]) return static_cast<E>(i);
  }
  throw Error(input + ": unknown " + Words<E>::kWhat + " '" + text + "'; valid " + Words<E>::kWhatPlural +
              ": " + word_list<E>());
}

/// The kinds of device a case can run on.
enum class DeviceType { kCpu, kCuda };

/// A parsed device: "cpu", "cuda" (= cuda:0) or "cuda:N", like c10::Device.
class Device {
 public:
  /// The cpu.
  Device() = default;
  static Device cuda(int64_t index) { return Device(DeviceType::kCuda, index); }

  /// Parses "cpu", "cuda" or "cuda:N" (N a non-negative integer). Throws
  /// effbench::Error naming `input` and the text otherwise.
  static Device parse(const std::string& text, const std::string& input);

  DeviceType type() const { return type_; }
  bool is_cpu() const { return type_ == DeviceType::kCpu; }
  bool is_cuda() const { return type_ == DeviceType::kCuda; }
  /// The CUDA device index (0 for the cpu).
  int64_t index() const { return index_; }
  /// "cpu" or "cuda:N": the form records hold.
  std::string str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index_); }

  bool operator==(const Device& other) const { return type_ == other.type_ && index_ == other.index_; }
  bool operator!=(const Device& other) const { return !(*this == other); }
  bool operator<(const Device& other) const {
    return std::make_pair(type_, index_) < std::make_pair(other.type_, other.index_);
  }

 private:
  Device(DeviceType type, int64_t index) : type_(type), index_(index) {}
  DeviceType type_ = DeviceType::kCpu;
  int64_t index_ = 0;
};

/// Streams "cpu" or "cuda:N" (messages, test output).
inline std::ostream& operator<<(std::ostream& out, const Device& device) { return out << device.str(); }

inline Device Device::parse(const std::string& text, const std::string& input) {
  if (text == "cpu") return Device();
  if (text == "cuda") return cuda(0);
  const std::string prefix = "cuda:";
  const std::string digits = text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : "";
  const bool is_index =
      !digits.empty() && digits.size() <= 6 && digits.find_first_not_of("0123456789") == std::string::npos;
  EFFBENCH_CHECK(is_index, input, ": unknown device '", text, "'; valid devices: cpu, cuda, cuda:N");
  return cuda(std::stoll(digits));
}

}  // namespace effbench
