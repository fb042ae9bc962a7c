#include "core/vocabulary.h"

#include <gtest/gtest.h>

namespace effbench {
namespace {

// The words as the JSON schema (docs) and the command line spell them.
TEST(Vocabulary, EveryWordRoundTrips) {
  EXPECT_EQ(to_string(CaseStatus::kInterrupted), "interrupted");
  EXPECT_EQ(to_string(RunStatus::kIncomplete), "incomplete");
  EXPECT_EQ(to_string(Mode::kInfer), "infer");
  EXPECT_EQ(to_string(Exec::kGraph), "graph");
  EXPECT_EQ(to_string(Precision::kBf16), "bf16");
  EXPECT_EQ(to_string(EnergySource::kNvmlPowerIntegral), "nvml-power-integral");
  EXPECT_EQ(to_string(EnergyBasis::kNet), "net");
  for (const char* word : {"fp32", "tf32", "bf16", "fp16"})
    EXPECT_EQ(to_string(parse_word<Precision>(word, "--precision")), word);
  for (const char* word : {"nvml-energy-counter", "nvml-power-integral", "rapl", "estimate"})
    EXPECT_EQ(to_string(parse_word<EnergySource>(word, "source")), word);
  EXPECT_EQ(parse_word<Mode>("train", "--mode"), Mode::kTrain);
  EXPECT_EQ(parse_word<CaseStatus>("failed", "status"), CaseStatus::kFailed);
}

TEST(Vocabulary, AnUnknownWordIsRefusedNamingTheInputAndTheValidWords) {
  try {
    parse_word<Mode>("eval", "--mode");
    FAIL() << "accepted 'eval'";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--mode: unknown mode 'eval'; valid modes: train, infer");
  }
  EXPECT_THROW(parse_word<Exec>("Eager", "--exec"), Error);  // words are case-sensitive, as written
  EXPECT_THROW(parse_word<RunStatus>("", "status"), Error);
}

TEST(Device, ParsesTheFormsUsersWrite) {
  EXPECT_TRUE(Device::parse("cpu", "--device").is_cpu());
  EXPECT_EQ(Device::parse("cuda", "--device"), Device::cuda(0));
  EXPECT_EQ(Device::parse("cuda:3", "--device").index(), 3);
  EXPECT_EQ(Device::parse("cuda:12", "--device").str(), "cuda:12");
  EXPECT_EQ(Device().str(), "cpu");
  EXPECT_LT(Device(), Device::cuda(0));
  EXPECT_LT(Device::cuda(1), Device::cuda(2));
}

TEST(Device, RefusesWhatIsNotADeviceNamingIt) {
  for (const char* bad : {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1.5", "CPU", "cuda:9999999", " cpu"}) {
    try {
      Device::parse(bad, "--device");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("--device: unknown device '") + bad + "'; valid devices: cpu, cuda, cuda:N");
    }
  }
}

TEST(Check, BuildsItsMessageOnlyWhenItFails) {
  int built = 0;
  auto part = [&built] {
    ++built;
    return "x";
  };
  EFFBENCH_CHECK(1 + 1 == 2, "never ", part());
  EXPECT_EQ(built, 0);
  try {
    EFFBENCH_CHECK(2 < 1, "--repeats: expected a positive count but got ", -3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "--repeats: expected a positive count but got -3");
  }
}

}  // namespace
}  // namespace effbench
