// The certd executable: a thin main() over certd_app.
#include "app/cli.hpp"

int main(int argc, char** argv) { return certd::app::run_cli(argc, argv); }
