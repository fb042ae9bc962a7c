#include "analysis/catalog.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "core/error.h"
#include "core/units.h"

#ifndef EFFBENCH_DATA_DIR
#define EFFBENCH_DATA_DIR "data"
#endif

namespace effbench {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == sep) {
      parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  parts.push_back(part);
  return parts;
}

const std::vector<std::string> kRequiredColumns = {"id",
                                                   "name",
                                                   "kind",
                                                   "vendor",
                                                   "match",
                                                   "fp32_tflops",
                                                   "tf32_tflops",
                                                   "bf16_tflops",
                                                   "fp16_tflops",
                                                   "memory_gb",
                                                   "memory_bandwidth_gb_s",
                                                   "io_bandwidth_gb_s",
                                                   "typical_power_w",
                                                   "peak_power_w",
                                                   "price_usd_per_hour",
                                                   "release_year",
                                                   "source",
                                                   "notes"};

}  // namespace

std::string data_dir() {
  const char* env = std::getenv("EFFBENCH_DATA_DIR");
  if (env != nullptr && env[0] != '\0') return env;
  return EFFBENCH_DATA_DIR;
}

std::string default_catalog_path() { return data_dir() + "/hardware_catalog.csv"; }

std::vector<HardwareSpec> parse_catalog(const CsvTable& table) {
  for (const auto& col : kRequiredColumns) table.column(col);  // throws naming the missing one
  const auto cell = [&](size_t r, const std::string& col) -> const std::string& {
    return table.rows[r].cells[table.column(col)];
  };
  const auto positive = [&](size_t r, const std::string& col) -> std::optional<double> {
    const std::optional<double> v = table.optional_number(r, table.column(col));
    check(!v || *v > 0, table.origin + ":" + std::to_string(table.rows[r].line) + ": column '" + col + "': " +
                            cell(r, col) + " is not positive; leave the cell empty when there is no figure");
    return v;
  };
  std::vector<HardwareSpec> specs;
  std::set<std::string> ids;
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const std::string at = table.origin + ":" + std::to_string(table.rows[r].line) + ": ";
    HardwareSpec s;
    s.id = cell(r, "id");
    check(!s.id.empty() && std::all_of(s.id.begin(), s.id.end(),
                                       [](char c) {
                                         return std::islower(static_cast<unsigned char>(c)) ||
                                                std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
                                                c == '.';
                                       }),
          at + "column 'id': '" + s.id + "' must be non-empty lower-case letters, digits, '-' or '.'");
    check(ids.insert(s.id).second, at + "column 'id': '" + s.id + "' appears twice; ids must be unique");
    s.name = cell(r, "name");
    check(!s.name.empty(), at + "column 'name' is empty; name the device");
    s.kind = cell(r, "kind");
    check(s.kind == "cpu" || s.kind == "gpu" || s.kind == "tpu" || s.kind == "dpu" || s.kind == "qpu",
          at + "column 'kind': '" + s.kind + "' is not one of cpu, gpu, tpu, dpu, qpu");
    s.vendor = cell(r, "vendor");
    for (const std::string& m : split(cell(r, "match"), '|')) {
      if (!m.empty()) s.match.push_back(m);
    }
    s.fp32_tflops = positive(r, "fp32_tflops");
    s.tf32_tflops = positive(r, "tf32_tflops");
    s.bf16_tflops = positive(r, "bf16_tflops");
    s.fp16_tflops = positive(r, "fp16_tflops");
    s.memory_gb = positive(r, "memory_gb");
    s.memory_bandwidth_gb_s = positive(r, "memory_bandwidth_gb_s");
    s.io_bandwidth_gb_s = positive(r, "io_bandwidth_gb_s");
    s.typical_power_w = positive(r, "typical_power_w");
    s.peak_power_w = positive(r, "peak_power_w");
    s.price_usd_per_hour = positive(r, "price_usd_per_hour");
    if (const auto year = positive(r, "release_year")) {
      check(*year == static_cast<int>(*year),
            at + "column 'release_year': '" + cell(r, "release_year") + "' is not a whole year");
      s.release_year = static_cast<int>(*year);
    }
    s.source = cell(r, "source");
    check(!s.source.empty(), at + "column 'source' is empty for '" + s.id +
                                 "'; every row needs the datasheet or page its figures come from");
    s.notes = cell(r, "notes");
    specs.push_back(std::move(s));
  }
  return specs;
}

std::vector<HardwareSpec> load_catalog(const std::string& path) { return parse_catalog(read_csv_file(path)); }

const std::vector<HardwareSpec>& default_catalog() {
  // Loaded once; a failure is rethrown on every call (the static is never set).
  static const std::vector<HardwareSpec> catalog = [] {
    try {
      return load_catalog(default_catalog_path());
    } catch (const Error& e) {
      throw Error(std::string(e.what()) +
                  " (the hardware catalog; set EFFBENCH_DATA_DIR to the folder "
                  "holding hardware_catalog.csv)");
    }
  }();
  return catalog;
}

const HardwareSpec* find_hardware(const std::vector<HardwareSpec>& catalog, const std::string& id_or_name) {
  const std::string want = lower(id_or_name);
  for (const HardwareSpec& s : catalog) {
    if (lower(s.id) == want || lower(s.name) == want) return &s;
  }
  for (const HardwareSpec& s : catalog) {
    for (const std::string& m : s.match) {
      if (lower(m) == want) return &s;
    }
  }
  return nullptr;
}

const HardwareSpec& require_hardware(const std::vector<HardwareSpec>& catalog,
                                     const std::string& id_or_name) {
  if (const HardwareSpec* s = find_hardware(catalog, id_or_name)) return *s;
  std::string ids;
  for (const HardwareSpec& s : catalog) ids += (ids.empty() ? "" : ", ") + s.id;
  throw Error("unknown hardware '" + id_or_name + "'; the catalog has: " + ids);
}

// Note [Device name matching]
// Drivers report names such as "NVIDIA H100 80GB HBM3", "Tesla V100-SXM2-32GB"
// or "NVIDIA A100-SXM4-40GB". Each catalog row lists the names it answers to;
// a name matches when it occurs in the device name case-insensitively and is
// not part of a longer word ("L4" must not match "L40S", "A10" not "A100").
// When several rows match, the longest matching name wins, so
// "A100-SXM4-80GB" picks the 80 GB row over the generic "A100-SXM4".
const HardwareSpec* match_device(const std::vector<HardwareSpec>& catalog, const std::string& device_name) {
  const std::string hay = lower(device_name);
  const HardwareSpec* best = nullptr;
  size_t best_length = 0;
  for (const HardwareSpec& s : catalog) {
    for (const std::string& m : s.match) {
      const std::string needle = lower(m);
      for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) {
        const bool starts_word = pos == 0 || !is_alnum(hay[pos - 1]) || !is_alnum(needle.front());
        const size_t end = pos + needle.size();
        const bool ends_word = end == hay.size() || !is_alnum(hay[end]) || !is_alnum(needle.back());
        if (starts_word && ends_word && needle.size() > best_length) {
          best = &s;
          best_length = needle.size();
        }
      }
    }
  }
  return best;
}

std::string normalize_precision(const std::string& precision) {
  const std::string p = lower(precision);
  if (p == "fp32" || p == "float32" || p == "float" || p == "f32") return "fp32";
  if (p == "tf32") return "tf32";
  if (p == "bf16" || p == "bfloat16" || p == "amp-bf16" || p == "bf16-mixed") return "bf16";
  if (p == "fp16" || p == "float16" || p == "half" || p == "f16" || p == "amp" || p == "amp-fp16" ||
      p == "fp16-mixed" || p == "16-mixed")
    return "fp16";
  return "";
}

std::optional<double> peak_tflops(const HardwareSpec& spec, const std::string& precision) {
  const std::string p = normalize_precision(precision);
  if (p == "fp32") return spec.fp32_tflops;
  if (p == "tf32") return spec.tf32_tflops;
  if (p == "bf16") return spec.bf16_tflops;
  if (p == "fp16") return spec.fp16_tflops;
  return std::nullopt;
}

std::optional<double> peak_tflops(const std::string& device_name, const std::string& precision) {
  try {
    const HardwareSpec* spec = match_device(default_catalog(), device_name);
    if (spec == nullptr) return std::nullopt;
    return peak_tflops(*spec, precision);
  } catch (const Error&) {
    return std::nullopt;  // documented: a missing catalog means "peak unknown"
  }
}

}  // namespace effbench
