// `effbench list models|devices`: what can be benchmarked here.

#include <iostream>

#include "cli/command.h"
#include "core/error.h"
#include "core/units.h"
#include "meters/meter_set.h"
#include "report/console.h"
#include "runner/devices.h"
#include "runner/model_descriptions.h"

namespace effbench {
namespace {

void list_models() {
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : describe_models()) {
    rows.push_back({m.name, format_si(static_cast<double>(m.params), ""), format_si(m.forward_flops, "FLOP"),
                    format_si(m.train_flops, "FLOP"), m.input, m.summary});
  }
  std::cout << render_table(
      {"model", "params", "FLOPs/sample (fwd)", "train step/sample", "default input", "description"}, rows);
}

void list_devices() {
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : available_devices()) {
    rows.push_back({d.device.str(), d.name, format_bytes(static_cast<double>(d.memory_bytes)), d.detail});
  }
  std::cout << render_table({"device", "name", "memory", "detail"}, rows) << torch_build_text() << "\n";
}

void list_meters() {
  std::vector<Device> devices;
  for (const auto& d : available_devices()) devices.push_back(d.device);
  const MeterOptions options = meter_options_for(devices, read_host_info());
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : MeterSet::probe(options)) {
    rows.push_back(
        {m.name, m.source, m.scope, m.device, m.available ? "yes" : "no", m.available ? m.detail : m.reason});
  }
  std::cout << render_table({"meter", "source", "scope", "device", "available", "detail / reason"}, rows);
}

}  // namespace

void add_list_command(CLI::App& app) {
  auto what = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("list", "List models, devices or meters");
  cmd->add_option("what", *what, "models | devices | meters")->required();
  cmd->callback([what] {
    if (*what == "models") {
      list_models();
    } else if (*what == "devices") {
      list_devices();
    } else if (*what == "meters") {
      list_meters();
    } else {
      throw Error("list: unknown item '" + *what + "'; valid: models, devices, meters");
    }
  });
}

}  // namespace effbench
