//! `ajuste`: the native command-line tool over the same core as the web app.

mod backbone_commands;
mod cli;
mod projects;
mod train_commands;

fn main() -> std::process::ExitCode {
    ajuste::allocator::keep_freed_memory();
    cli::run()
}
