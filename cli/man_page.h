#pragma once
// A small roff (man(7)) writer, so that the man pages are generated from the same tables that
// print `--help` instead of being kept by hand beside them. Text is plain ASCII/UTF-8 prose:
// the writer escapes backslashes, hyphens, leading dots and non-ASCII characters itself.

#include <string>
#include <vector>

namespace ckpt::cli {

struct ManItem {
    std::string term;      // set in bold: an option, a command, a variable
    std::string body;      // paragraphs separated by blank lines
    std::string synopsis;  // optional usage line, in bold before the body (filled, so it wraps)
};

struct ManSection {
    std::string title;        // "DESCRIPTION", "COMMANDS"...
    std::string text;         // paragraphs before the items
    std::vector<ManItem> items;
    bool itemsAsSubsections = false;  // .SS per item (commands) instead of a tagged list
};

struct ManPage {
    std::string name;                   // "ckptscope-cli"
    std::string version;                // "0.1.0"
    std::string summary;                // for the NAME line
    std::vector<std::string> synopsis;  // one usage per line, without the program name
    std::vector<ManSection> sections;   // after NAME and SYNOPSIS
};

std::string renderRoff(const ManPage& page);
// Escapes one run of text for roff (backslash, hyphen-minus, leading '.'/'\'', non-ASCII).
std::string roffEscape(const std::string& text);

} // namespace ckpt::cli
