#include "cli/cli.h"

int main(int argc, char** argv) { return ckpt::cli::run(argc, argv); }
