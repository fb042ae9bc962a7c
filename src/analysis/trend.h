#pragma once
// Trends: a polynomial fitted to two columns of a CSV file (by default the
// shipped accelerator memory by year) and projected forward with prediction
// intervals; and the measured trend of peak training memory against batch
// size from stored runs, answering "the largest batch that fits in N GiB".
//
// Note [Strict CSV]
// The data files are small and hand-edited, so a typo must stop the reader
// rather than quietly drop a point. The reader accepts RFC 4180 CSV (quoted
// fields, "" for a quote, CRLF or LF) plus whole-line comments starting with
// '#' and blank lines. The first other line is the header. A row with another
// number of cells than the header, an unterminated quote, a duplicate header
// name or a numeric cell that is not a finite number throws effbench::Error
// naming the file, the line, the column and the value.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/polyfit.h"
#include "results/record.h"

namespace effbench {

/// A parsed CSV file (Note [Strict CSV]).
struct CsvTable {
  struct Row {
    int64_t line = 0;  // 1-based line of the row's first character in the file
    std::vector<std::string> cells;
  };
  std::string origin;  // file name, for messages
  std::vector<std::string> header;
  std::vector<Row> rows;

  bool has_column(const std::string& name) const;
  /// Index of the column `name`; throws effbench::Error naming the file and
  /// listing the columns it has.
  size_t column(const std::string& name) const;
  /// The cell of `row` in column `col` as a finite number; throws
  /// effbench::Error "FILE:LINE: column NAME: 'VALUE' is not a number ...".
  double number(size_t row, size_t col) const;
  /// As number(), but an empty cell is std::nullopt.
  std::optional<double> optional_number(size_t row, size_t col) const;
  /// Every cell of column `name` as a number (see number()).
  std::vector<double> numbers(const std::string& name) const;
};

/// Parses CSV text; `origin` names it in error messages.
CsvTable parse_csv(const std::string& text, const std::string& origin);

/// Reads and parses the CSV file at `path`; throws effbench::Error naming
/// `path` when it cannot be read.
CsvTable read_csv_file(const std::string& path);

/// The rows of `table` whose cell in `column` equals `value` (exact match);
/// throws effbench::Error for an unknown column.
CsvTable select_rows(const CsvTable& table, const std::string& column, const std::string& value);

/// The shipped accelerator memory data: data_dir() + "/accelerator_memory.csv".
std::string default_trend_data_path();

struct TrendOptions {
  std::string x_column = "year";
  std::string y_column = "memory_gb";
  std::optional<int> degree;  // fixed degree; absent = chosen by leave-one-out CV
  int max_degree = 4;         // largest degree CV may choose (bounded by the data)
  bool log_y = false;         // fit ln(y) (Note [Log-y fits] in polyfit.h)
  std::vector<double> to_x;   // where to project
  double level = 0.95;        // prediction interval level
};

struct TrendResult {
  std::string origin;
  std::string x_column;
  std::string y_column;
  std::vector<double> x;
  std::vector<double> y;
  PolyFit fit;
  std::vector<DegreeScore> candidates;  // empty when the degree was given
  std::vector<Prediction> projections;  // one per TrendOptions::to_x
};

/// Fits y_column against x_column of `table` as `options` say. Throws
/// effbench::Error for missing columns, non-numeric cells (Note [Strict CSV])
/// or data too small for the degree.
TrendResult compute_trend(const CsvTable& table, const TrendOptions& options);

/// One stored training case's peak memory at its batch size.
struct BatchMemoryPoint {
  std::string run_id;
  std::string model;
  std::string device;  // "cuda:0", "cpu"
  std::string device_name;
  std::string precision;
  std::string memory_field;  // "cuda_peak_allocated_bytes" | "peak_rss_bytes"
  int64_t batch = 0;
  double peak_bytes = 0;
};

/// Peak memory of every successful training case: on CUDA devices the
/// caching allocator's peak allocated bytes (the tensors the step needs), on
/// the CPU the process's peak RSS (which includes the runtime itself).
/// Cases with neither value are skipped.
std::vector<BatchMemoryPoint> training_memory_points(const std::vector<RunRecord>& runs);

/// The fitted memory of one model on one device and precision against batch size.
struct BatchMemoryTrend {
  std::string model;
  std::string device_name;
  std::string precision;
  std::string memory_field;
  std::vector<BatchMemoryPoint> points;  // sorted by batch
  std::optional<AutoFit> fit;            // absent when fewer than 3 distinct batch sizes
  std::string note;                      // why there is no fit, or an extrapolation warning
  double budget_bytes = 0;
  /// Largest batch whose fitted memory stays within the budget (and every
  /// smaller batch's too); 0 when batch 1 does not fit; absent when the fit
  /// stays below the budget up to kBatchSearchLimit.
  std::optional<int64_t> largest_batch;
  /// The same with the upper 95% prediction bound in place of the fitted value.
  std::optional<int64_t> largest_batch_conservative;
};

inline constexpr int64_t kBatchSearchLimit = int64_t{1} << 20;

/// Largest batch b in [1, search_limit] such that the fit (its upper
/// prediction bound at `level` when `upper_bound`) is <= budget_bytes for
/// every batch 1..b; 0 when batch 1 already exceeds it; absent when none of
/// 1..search_limit exceeds it.
std::optional<int64_t> largest_batch_within(const PolyFit& fit, double budget_bytes, bool upper_bound,
                                            double level = 0.95, int64_t search_limit = kBatchSearchLimit);

/// Groups training_memory_points(runs) by model, device name, precision and
/// memory field, fits memory against batch (degree by CV up to max_degree)
/// and answers the largest batch within budget_bytes for each group.
std::vector<BatchMemoryTrend> memory_vs_batch(const std::vector<RunRecord>& runs, double budget_bytes,
                                              int max_degree = 2);

}  // namespace effbench
