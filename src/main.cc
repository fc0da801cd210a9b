// The sluice binary: the command line (src/cli/) with the server plugged in.

#include <unistd.h>

#include <iostream>

#include "sluice/cli/app.h"
#include "sluice/server/serve.h"

int main(int argc, char** argv) {
  sluice::cli::Environment env;
  env.out = &std::cout;
  env.err = &std::cerr;
  env.serve = sluice::server::RunServe;
  env.err_is_terminal = ::isatty(STDERR_FILENO) == 1;
  return sluice::cli::RunCli(argc, argv, env);
}
