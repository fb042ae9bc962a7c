#include "analysis/trend.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "analysis/catalog.h"
#include "core/error.h"
#include "core/units.h"

namespace effbench {
namespace {

std::string where(const std::string& origin, int64_t line) { return origin + ":" + std::to_string(line); }

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

bool CsvTable::has_column(const std::string& name) const {
  return std::find(header.begin(), header.end(), name) != header.end();
}

size_t CsvTable::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  check(it != header.end(), origin + ": no column '" + name + "'; its columns are: " + quoted_list(header));
  return static_cast<size_t>(it - header.begin());
}

std::optional<double> CsvTable::optional_number(size_t row, size_t col) const {
  const std::string& cell = rows.at(row).cells.at(col);
  size_t begin = cell.find_first_not_of(" \t");
  if (begin == std::string::npos) return std::nullopt;
  const size_t end = cell.find_last_not_of(" \t");
  const std::string text = cell.substr(begin, end - begin + 1);
  char* stop = nullptr;
  const double v = std::strtod(text.c_str(), &stop);
  check(stop == text.c_str() + text.size() && std::isfinite(v),
        where(origin, rows[row].line) + ": column '" + header.at(col) + "' (column " +
            std::to_string(col + 1) + "): '" + cell +
            "' is not a number; write a plain decimal number such as 12.5");
  return v;
}

double CsvTable::number(size_t row, size_t col) const {
  const std::optional<double> v = optional_number(row, col);
  check(v.has_value(), where(origin, rows.at(row).line) + ": column '" + header.at(col) + "' (column " +
                           std::to_string(col + 1) + "): the cell is empty; fill it in or remove the row");
  return *v;
}

std::vector<double> CsvTable::numbers(const std::string& name) const {
  const size_t col = column(name);
  std::vector<double> out;
  out.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) out.push_back(number(r, col));
  return out;
}

CsvTable parse_csv(const std::string& text, const std::string& origin) {
  CsvTable table;
  table.origin = origin;
  int64_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  bool have_header = false;
  while (i < n) {
    // Whole-line comments and blank lines (Note [Strict CSV]).
    if (text[i] == '#' || text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
      while (i < n && text[i] != '\n') ++i;
      ++i;
      ++line;
      continue;
    }
    const int64_t row_line = line;
    std::vector<std::string> cells;
    std::string cell;
    bool in_quotes = false;
    bool was_quoted = false;
    for (;;) {
      if (i >= n) {
        check(!in_quotes, where(origin, row_line) + ": column " + std::to_string(cells.size() + 1) +
                              ": a quoted cell is never closed; add the closing '\"'");
        cells.push_back(cell);
        break;
      }
      const char c = text[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          in_quotes = false;
          ++i;
          continue;
        }
        if (c == '\n') ++line;
        cell += c;
        ++i;
        continue;
      }
      if (c == '"') {
        check(cell.empty() && !was_quoted, where(origin, line) + ": column " +
                                               std::to_string(cells.size() + 1) + ": stray '\"' in '" + cell +
                                               "\"'; quote the whole cell and double the quotes inside it");
        in_quotes = true;
        was_quoted = true;
        ++i;
        continue;
      }
      if (c == ',') {
        cells.push_back(cell);
        cell.clear();
        was_quoted = false;
        ++i;
        continue;
      }
      if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
        ++i;
        continue;
      }
      if (c == '\n') {
        cells.push_back(cell);
        ++i;
        ++line;
        break;
      }
      check(!was_quoted, where(origin, line) + ": column " + std::to_string(cells.size() + 1) +
                             ": text after a closing quote; put the whole cell inside the quotes");
      cell += c;
      ++i;
    }
    if (!have_header) {
      std::set<std::string> seen;
      for (size_t k = 0; k < cells.size(); ++k) {
        check(!cells[k].empty(), where(origin, row_line) + ": header column " + std::to_string(k + 1) +
                                     " is empty; name every column");
        check(seen.insert(cells[k]).second, where(origin, row_line) + ": header column " +
                                                std::to_string(k + 1) + " repeats the name '" + cells[k] +
                                                "'; give each column its own name");
      }
      table.header = std::move(cells);
      have_header = true;
      continue;
    }
    check(cells.size() == table.header.size(),
          where(origin, row_line) + ": the row has " + std::to_string(cells.size()) +
              " cells but the header has " + std::to_string(table.header.size()) +
              " columns; quote cells that contain commas");
    table.rows.push_back({row_line, std::move(cells)});
  }
  check(have_header, origin +
                         ": no header line (the file is empty or only comments); the first line "
                         "must name the columns");
  return table;
}

CsvTable read_csv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "cannot read the CSV file '" + path + "'; check the path (--data) and its permissions");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), path);
}

CsvTable select_rows(const CsvTable& table, const std::string& column, const std::string& value) {
  const size_t col = table.column(column);
  CsvTable out;
  out.origin = table.origin + " [" + column + "=" + value + "]";
  out.header = table.header;
  for (const auto& row : table.rows) {
    if (row.cells[col] == value) out.rows.push_back(row);
  }
  return out;
}

std::string default_trend_data_path() { return data_dir() + "/accelerator_memory.csv"; }

TrendResult compute_trend(const CsvTable& table, const TrendOptions& options) {
  TrendResult result;
  result.origin = table.origin;
  result.x_column = options.x_column;
  result.y_column = options.y_column;
  result.x = table.numbers(options.x_column);
  result.y = table.numbers(options.y_column);
  check(!result.x.empty(), table.origin + ": no data rows; add rows below the header");
  if (options.log_y) {
    for (size_t r = 0; r < result.y.size(); ++r) {
      check(result.y[r] > 0, where(table.origin, table.rows[r].line) + ": column '" + options.y_column +
                                 "': " + format_number(result.y[r]) +
                                 " is not positive, so --log-y cannot use it; drop --log-y or fix the value");
    }
  }
  if (options.degree) {
    result.fit = fit_polynomial(result.x, result.y, *options.degree, options.log_y);
  } else {
    AutoFit chosen = fit_polynomial_auto(result.x, result.y, options.max_degree, options.log_y);
    result.fit = std::move(chosen.fit);
    result.candidates = std::move(chosen.candidates);
  }
  for (double x : options.to_x)
    result.projections.push_back(predict_with_interval(result.fit, x, options.level));
  return result;
}

std::vector<BatchMemoryPoint> training_memory_points(const std::vector<RunRecord>& runs) {
  std::vector<BatchMemoryPoint> points;
  for (const RunRecord& run : runs) {
    for (const CaseRecord& c : run.cases) {
      if (c.mode != Mode::kTrain || c.status != CaseStatus::kOk || c.batch <= 0) continue;
      BatchMemoryPoint p;
      p.run_id = run.run_id;
      p.model = c.model;
      p.device = c.device.str();
      p.device_name = c.device_name;
      p.precision = to_string(c.precision);
      p.batch = c.batch;
      const bool cuda = c.device.is_cuda();
      if (cuda && c.memory.cuda_peak_allocated_bytes) {
        p.memory_field = "cuda_peak_allocated_bytes";
        p.peak_bytes = static_cast<double>(*c.memory.cuda_peak_allocated_bytes);
      } else if (!cuda && c.memory.peak_rss_bytes) {
        p.memory_field = "peak_rss_bytes";
        p.peak_bytes = static_cast<double>(*c.memory.peak_rss_bytes);
      } else {
        continue;
      }
      points.push_back(std::move(p));
    }
  }
  return points;
}

std::optional<int64_t> largest_batch_within(const PolyFit& fit, double budget_bytes, bool upper_bound,
                                            double level, int64_t search_limit) {
  const double t = upper_bound ? interval_t_quantile(fit, level) : 0;
  for (int64_t b = 1; b <= search_limit; ++b) {
    const double x = static_cast<double>(b);
    const double need = upper_bound ? predict_with_interval(fit, x, level, t).upper : fit.predict(x);
    if (need > budget_bytes) return b - 1;
  }
  return std::nullopt;
}

std::vector<BatchMemoryTrend> memory_vs_batch(const std::vector<RunRecord>& runs, double budget_bytes,
                                              int max_degree) {
  check(budget_bytes > 0,
        "memory budget " + format_number(budget_bytes) + " bytes is not positive; give e.g. --fits-in 16");
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::vector<BatchMemoryPoint>> groups;
  std::vector<Key> order;
  for (BatchMemoryPoint& p : training_memory_points(runs)) {
    Key key{p.model, p.device_name, p.precision, p.memory_field};
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(std::move(p));
  }
  std::vector<BatchMemoryTrend> trends;
  for (const Key& key : order) {
    BatchMemoryTrend t;
    std::tie(t.model, t.device_name, t.precision, t.memory_field) = key;
    t.points = groups[key];
    std::stable_sort(t.points.begin(), t.points.end(),
                     [](const BatchMemoryPoint& a, const BatchMemoryPoint& b) { return a.batch < b.batch; });
    t.budget_bytes = budget_bytes;
    std::vector<double> x, y;
    std::set<int64_t> distinct;
    for (const auto& p : t.points) {
      x.push_back(static_cast<double>(p.batch));
      y.push_back(p.peak_bytes);
      distinct.insert(p.batch);
    }
    if (distinct.size() < 3) {
      t.note = "measured at " + std::to_string(distinct.size()) +
               " batch size(s); run at 3 or more batch sizes (effbench run --batch ...) to fit a trend";
      trends.push_back(std::move(t));
      continue;
    }
    t.fit = fit_polynomial_auto(x, y, max_degree);
    t.largest_batch = largest_batch_within(t.fit->fit, budget_bytes, /*upper_bound=*/false);
    t.largest_batch_conservative = largest_batch_within(t.fit->fit, budget_bytes, /*upper_bound=*/true);
    const int64_t measured_max = *distinct.rbegin();
    if (!t.largest_batch || *t.largest_batch > 2 * measured_max) {
      t.note = "extrapolated beyond twice the largest measured batch (" + std::to_string(measured_max) +
               "); confirm with a run near the answer";
    }
    trends.push_back(std::move(t));
  }
  return trends;
}

}  // namespace effbench
