#include "cli/cli.h"
#include "core/convert/large_buffer_policy.h"

int main(int argc, char** argv)
{
    ckpt::useSystemPagesForLargeBuffers();  // convert/diff/verify free tensor-sized buffers often
    return ckpt::cli::run(argc, argv);
}
