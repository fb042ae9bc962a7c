// Writes the TorchScript fixtures into a folder, for the CLI check:
//   make_torchscript_fixtures DIR  ->  DIR/tiny_net.pt, DIR/up_net.pt, DIR/no_params.pt
#include <iostream>
#include <string>

#include "torchscript_fixtures.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_torchscript_fixtures DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  effbench::fixtures::write_tiny_net(dir + "/tiny_net.pt");
  effbench::fixtures::write_up_net(dir + "/up_net.pt");
  effbench::fixtures::write_no_params(dir + "/no_params.pt");
  return 0;
}
