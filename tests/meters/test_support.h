#pragma once
// Helpers shared by the meter tests: a scratch directory and a scripted clock.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace effbench::testing {

/// A fresh directory under the system temp dir, removed at destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("effbench_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  /// Writes `text` to `relative` (parents created), replacing it.
  void write(const std::string& relative, const std::string& text) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::trunc) << text;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

/// A clock the test sets by hand; meters read it through a ClockFn.
struct ScriptedClock {
  std::shared_ptr<double> now_s = std::make_shared<double>(0.0);
  void set(double t_s) const { *now_s = t_s; }
  std::function<double()> fn() const {
    auto now = now_s;
    return [now] { return *now; };
  }
};

}  // namespace effbench::testing
