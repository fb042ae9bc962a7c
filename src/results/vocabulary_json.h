#pragma once
// The vocabulary's words in JSON documents: written as their names, read back
// through parse_word, so that a document with an unknown word is refused
// naming the word (nlohmann's enum macro would read it as the first value).

#include <nlohmann/json.hpp>

#include <string>

#include "core/vocabulary.h"

namespace effbench {

#define EFFBENCH_WORD_JSON(E)                                                                       \
  inline void to_json(nlohmann::json& j, E value) { j = to_string(value); }                         \
  inline void from_json(const nlohmann::json& j, E& value) {                                        \
    check(j.is_string(), std::string(Words<E>::kWhat) + ": expected a string but got " + j.dump()); \
    value = parse_word<E>(j.get<std::string>(), Words<E>::kWhat);                                   \
  }

EFFBENCH_WORD_JSON(CaseStatus)
EFFBENCH_WORD_JSON(RunStatus)
EFFBENCH_WORD_JSON(Mode)
EFFBENCH_WORD_JSON(Exec)
EFFBENCH_WORD_JSON(Precision)
EFFBENCH_WORD_JSON(EnergySource)
EFFBENCH_WORD_JSON(EnergyBasis)

#undef EFFBENCH_WORD_JSON

inline void to_json(nlohmann::json& j, const Device& device) { j = device.str(); }
inline void from_json(const nlohmann::json& j, Device& device) {
  check(j.is_string(), "device: expected a string such as \"cpu\" or \"cuda:0\" but got " + j.dump());
  device = Device::parse(j.get<std::string>(), "device");
}

}  // namespace effbench
