// Importing a command module registers it. One line per command.
