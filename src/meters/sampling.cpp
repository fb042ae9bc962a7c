#include "meters/sampling.h"

#include <sys/resource.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>

namespace effbench {

double steady_now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double waited_children_cpu_s() {
  rusage usage{};
  if (getrusage(RUSAGE_CHILDREN, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

FileRead read_small_file(const std::string& path) {
  FileRead result;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.error = errno;
    return result;
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = errno;
      ::close(fd);
      return result;
    }
    if (n == 0) break;
    result.text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  result.ok = true;
  return result;
}

bool parse_u64(const std::string& text, uint64_t& value) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  uint64_t v = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i != text.size()) return false;
  value = v;
  return true;
}

void WrappingCounter::reset(uint64_t first_raw) {
  previous_ = first_raw;
  total_ = 0;
  wraps_ = 0;
  unexplained_decreases_ = 0;
}

uint64_t WrappingCounter::add(uint64_t raw) {
  uint64_t delta = 0;
  if (raw >= previous_) {
    delta = raw - previous_;
  } else if (max_range_ > 0 && previous_ <= max_range_) {
    // See Note [Counter wrap].
    delta = (max_range_ - previous_) + raw;
    ++wraps_;
  } else {
    ++unexplained_decreases_;
  }
  previous_ = raw;
  total_ += delta;
  return delta;
}

double trapezoid_joules(const std::vector<PowerPoint>& points) {
  double joules = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    joules += 0.5 * (points[i - 1].watts + points[i].watts) * (points[i].t_s - points[i - 1].t_s);
  }
  return joules;
}

std::vector<PowerPoint> decimate(const std::vector<PowerPoint>& points, size_t max_points) {
  if (points.size() <= max_points) return points;
  std::vector<PowerPoint> out;
  if (max_points == 0) return out;
  out.reserve(max_points);
  const size_t n = points.size();
  for (size_t bucket = 0; bucket < max_points; ++bucket) {
    const size_t begin = bucket * n / max_points;
    const size_t end = (bucket + 1) * n / max_points;  // > begin because n > max_points
    PowerPoint mean;
    for (size_t i = begin; i < end; ++i) {
      mean.t_s += points[i].t_s;
      mean.watts += points[i].watts;
    }
    const double count = static_cast<double>(end - begin);
    mean.t_s /= count;
    mean.watts /= count;
    out.push_back(mean);
  }
  return out;
}

void PeriodicThread::start(double period_s, std::function<void()> tick) {
  stop();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(period_s));
  thread_ = std::thread([this, period, tick = std::move(tick)] {
    auto next = std::chrono::steady_clock::now() + period;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
      lock.unlock();
      tick();
      lock.lock();
      // Fixed-rate schedule; after a stall, skip missed ticks rather than burst.
      next += period;
      const auto now = std::chrono::steady_clock::now();
      if (next < now) next = now + period;
    }
  });
}

void PeriodicThread::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace effbench
