// `effbench trend`: fits a polynomial to two columns of a CSV file (default:
// the shipped accelerator memory by year) and projects it with prediction
// intervals; with --measured, fits peak training memory against batch size
// from stored runs and answers the largest batch that fits in --fits-in GiB.

#include "cli/trend_command.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "analysis/catalog.h"
#include "analysis/trend.h"
#include "cli/command.h"
#include "core/error.h"
#include "core/units.h"
#include "report/console.h"
#include "results/json.h"
#include "results/store.h"

namespace effbench {
namespace {

struct TrendCli {
  std::string data;
  std::string x_column;
  std::string y_column;
  std::vector<std::string> where;  // COLUMN=VALUE row filters
  int degree = -1;
  int max_degree = -1;  // 4, or 2 with --measured (memory grows about linearly with batch)
  std::vector<double> to_x;
  bool log_y = false;
  double level = 0.95;
  // --measured
  bool measured = false;
  std::vector<std::string> json_paths;
  std::vector<std::string> run_ids;
  std::string db_path;
  double fits_in_gib = 16;
};

struct ShippedData {
  const char* name;
  const char* file;
  const char* x;
  const char* y;
};
const ShippedData kShipped[] = {
    {"accelerator-memory", "accelerator_memory.csv", "year", "memory_gb"},
    {"model-training-memory", "model_training_memory.csv", "year", "training_memory_gb"},
};

std::string n(double v) { return format_number(v); }

std::string polynomial_text(const std::vector<double>& c, const std::string& var) {
  std::ostringstream out;
  for (size_t k = 0; k < c.size(); ++k) {
    if (k > 0) out << (c[k] < 0 ? " - " : " + ");
    const double v = k > 0 ? std::abs(c[k]) : c[k];
    out << std::setprecision(6) << v;
    if (k == 1) out << " " << var;
    if (k > 1) out << " " << var << "^" << k;
  }
  return out.str();
}

void print_trend(const TrendResult& r, const TrendCli& cli) {
  const PolyFit& f = r.fit;
  const std::string y_name = f.log_y ? "ln(" + r.y_column + ")" : r.y_column;
  std::cout << "Trend of " << r.y_column << " against " << r.x_column << " (data: " << r.origin << ", "
            << r.x.size() << " points)\n\n";
  if (!r.candidates.empty()) {
    std::cout << "Degree chosen by leave-one-out cross-validation (one-standard-error rule), up to "
              << r.candidates.back().degree << ":\n";
    std::vector<std::vector<std::string>> rows;
    for (const DegreeScore& s : r.candidates) {
      rows.push_back(
          {std::to_string(s.degree) + (s.degree == f.degree ? " *" : ""), n(s.cv_mse), n(s.cv_mse_se)});
    }
    std::cout << render_table({"degree", "LOO-CV mean sq. error", "std. error"}, rows) << "\n";
  } else {
    std::cout << "Degree " << f.degree << " (given).\n\n";
  }
  std::cout << "Fit (least squares, QR on centred and scaled x), degree " << f.degree << ":\n"
            << "  " << y_name << " = " << polynomial_text(f.z_coefficients, "z") << "\n"
            << "  with z = (" << r.x_column << " - " << n(f.x_center) << ") / " << n(f.x_scale) << "\n"
            << "  in " << r.x_column << ": " << y_name << " = " << polynomial_text(f.coefficients, "x")
            << "\n"
            << "  R^2 = " << n(f.r_squared) << ", residual std. dev. = " << n(f.residual_stddev)
            << ", n = " << f.n << (f.log_y ? " (on the log scale)" : "") << "\n\n";
  if (r.projections.empty()) {
    std::cout << "No projection asked for; add --to X (e.g. --to 2030).\n";
    return;
  }
  const int percent = static_cast<int>(std::lround(cli.level * 100));
  std::vector<std::vector<std::string>> rows;
  bool negative_lower = false;
  for (const Prediction& p : r.projections) {
    rows.push_back({n(p.x), n(p.y), n(p.lower), n(p.upper), p.extrapolated ? "yes" : "no"});
    negative_lower = negative_lower || p.lower < 0;
  }
  std::cout << "Projection with " << percent << "% prediction intervals (a new observation at x):\n"
            << render_table(
                   {r.x_column, r.y_column + (f.log_y ? " (median)" : ""), "lower", "upper", "extrapolated"},
                   rows);
  std::cout
      << "\nA polynomial trend is a description of the past, not a model of the future: intervals assume "
         "independent, normal residuals around the fitted curve"
      << (f.log_y ? " on the log scale" : "") << ".\n";
  if (negative_lower)
    std::cout << "A lower bound below zero is not physical; --log-y fits a growth rate instead.\n";
}

std::vector<RunRecord> load_runs(const TrendCli& cli) {
  std::vector<RunRecord> runs;
  for (const std::string& path : cli.json_paths) runs.push_back(read_run_json(path));
  if (!cli.run_ids.empty() || cli.json_paths.empty()) {
    const ResultStore store(cli.db_path.empty() ? ResultStore::default_path() : cli.db_path);
    if (!cli.run_ids.empty()) {
      for (const std::string& id : cli.run_ids) runs.push_back(store.load_run(id));
    } else {
      for (auto& run : store.load_readable_runs(warn_unreadable_run)) runs.push_back(std::move(run));
    }
  }
  return runs;
}

void print_measured(const TrendCli& cli) {
  check(cli.fits_in_gib > 0,
        "--fits-in " + n(cli.fits_in_gib) + " GiB is not positive; give e.g. --fits-in 16");
  const double budget_bytes = cli.fits_in_gib * 1024.0 * 1024.0 * 1024.0;
  const std::vector<BatchMemoryTrend> trends =
      memory_vs_batch(load_runs(cli), budget_bytes, cli.max_degree > 0 ? cli.max_degree : 2);
  check(!trends.empty(),
        "trend --measured: the runs have no successful training case with a peak memory "
        "reading; run `effbench run --mode train --batch 32,64,128 ...` first");
  std::cout << "Measured peak training memory against batch size; largest batch within " << n(cli.fits_in_gib)
            << " GiB\n\n";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
  for (const BatchMemoryTrend& t : trends) {
    std::string points;
    for (const BatchMemoryPoint& p : t.points) {
      points += (points.empty() ? "" : ", ") + std::to_string(p.batch) + ": " + format_bytes(p.peak_bytes);
    }
    const auto batch_text = [](const std::optional<int64_t>& b) {
      return b ? (*b == 0 ? std::string("none (batch 1 exceeds)") : std::to_string(*b))
               : "> " + std::to_string(kBatchSearchLimit);
    };
    rows.push_back({t.model, t.device_name, t.precision, t.memory_field, points,
                    t.fit ? std::to_string(t.fit->fit.degree) : "-", t.fit ? n(t.fit->fit.r_squared) : "-",
                    t.fit ? batch_text(t.largest_batch) : "-",
                    t.fit ? batch_text(t.largest_batch_conservative) : "-"});
    if (!t.note.empty()) notes.push_back(t.model + " on " + t.device_name + ": " + t.note);
  }
  std::cout << render_table({"model", "device", "precision", "memory", "batch: peak", "degree", "R^2",
                             "largest batch (fit)", "largest batch (95% upper)"},
                            rows);
  for (const std::string& note : notes) std::cout << "  note: " << note << "\n";
}

void run_trend(const TrendCli& cli) {
  check(cli.max_degree == -1 || cli.max_degree >= 1,
        "--max-degree " + std::to_string(cli.max_degree) + " is below 1; give 1 or more");
  if (cli.measured) {
    print_measured(cli);
    return;
  }
  std::string path = cli.data.empty() ? default_trend_data_path() : cli.data;
  TrendOptions options;
  for (const ShippedData& s : kShipped) {
    if (cli.data == s.name || (cli.data.empty() && std::string(s.name) == "accelerator-memory")) {
      path = data_dir() + "/" + s.file;
      options.x_column = s.x;
      options.y_column = s.y;
    }
  }
  CsvTable table = read_csv_file(path);
  for (const std::string& w : cli.where) {
    const size_t eq = w.find('=');
    check(eq != std::string::npos && eq > 0,
          "--where '" + w + "' is not COLUMN=VALUE; give e.g. --where kind=gpu");
    table = select_rows(table, w.substr(0, eq), w.substr(eq + 1));
  }
  if (!cli.x_column.empty()) options.x_column = cli.x_column;
  if (!cli.y_column.empty()) options.y_column = cli.y_column;
  check(table.has_column(options.x_column) && table.has_column(options.y_column),
        path + ": columns '" + options.x_column + "' and '" + options.y_column +
            "' are needed; name the columns to fit with --x and --y");
  if (cli.degree >= 0) options.degree = cli.degree;
  options.max_degree = cli.max_degree > 0 ? cli.max_degree : 4;
  options.log_y = cli.log_y;
  options.to_x = cli.to_x;
  options.level = cli.level;
  print_trend(compute_trend(table, options), cli);
}

}  // namespace

void add_trend_command(CLI::App& app) {
  auto cli = std::make_shared<TrendCli>();
  auto* cmd = app.add_subcommand("trend", "Fit and project memory trends (polynomial regression)");
  cmd->add_option("--data", cli->data,
                  "CSV file, or a shipped data set: accelerator-memory (default), model-training-memory");
  cmd->add_option("--x", cli->x_column, "Column of x (default: year)");
  cmd->add_option("--y", cli->y_column, "Column of y (default: memory_gb / training_memory_gb)");
  cmd->add_option("--where", cli->where,
                  "Keep only rows with COLUMN=VALUE (repeatable), e.g. --where kind=gpu");
  auto* degree =
      cmd->add_option("--degree", cli->degree, "Polynomial degree (default: chosen by leave-one-out CV)");
  auto* max_degree = cmd->add_option("--max-degree", cli->max_degree,
                                     "Largest degree CV may choose (default: 4; 2 with --measured)");
  degree->excludes(max_degree);
  cmd->add_option("--to", cli->to_x, "Project to these x values, comma-separated (e.g. 2030)")
      ->delimiter(',');
  cmd->add_flag("--log-y", cli->log_y, "Fit ln(y): exponential growth becomes a polynomial in x");
  cmd->add_option("--level", cli->level, "Prediction interval level")->capture_default_str();
  cmd->add_flag("--measured", cli->measured,
                "Fit stored runs' peak training memory against batch size instead of a CSV");
  cmd->add_option("--json", cli->json_paths, "With --measured: run JSON files (repeatable)");
  cmd->add_option("--run", cli->run_ids,
                  "With --measured: run ids in the results database (default: all runs)")
      ->delimiter(',');
  cmd->add_option("--db", cli->db_path,
                  "Results database (default: $EFFBENCH_DB or ~/.local/share/effbench/results.db)");
  cmd->add_option("--fits-in", cli->fits_in_gib, "With --measured: memory budget in GiB")
      ->capture_default_str();
  cmd->callback([cli] { run_trend(*cli); });
}

}  // namespace effbench
