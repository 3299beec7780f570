import { Argument, type Command } from 'commander';
import { completionScript, SHELLS, type Shell } from '../completion.ts';
import { out } from '../context.ts';

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh or fish)')
    .description(
      "Print a completion script for your shell, generated from paddock's own commands and options (run ids are\n" +
        'completed live from `paddock ls`). Install it once:\n\n' +
        '  bash  paddock completion bash > ~/.local/share/bash-completion/completions/paddock\n' +
        '        (or add to ~/.bashrc: source <(paddock completion bash))\n' +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's ${fpath[1]}, shown to the user as it is
        '  zsh   paddock completion zsh > "${fpath[1]}/_paddock"   (or in ~/.zshrc, after compinit:\n' +
        '        source <(paddock completion zsh))\n' +
        '  fish  paddock completion fish > ~/.config/fish/completions/paddock.fish\n\n' +
        'then start a new shell.',
    )
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(SHELLS))
    .addHelpText('after', '\nExamples:\n  source <(paddock completion bash)\n  paddock completion fish > ~/.config/fish/completions/paddock.fish')
    .action((shell: Shell, _o: unknown, cmd: Command) => {
      let root = cmd;
      while (root.parent) root = root.parent;
      out(completionScript(root, shell).trimEnd());
    });
}
