// Importing a command module registers it. One line per command.
import './train';
import './quantize';
import './inspect';
import './inspect-cost';
import './eval';
import './run';
import './bench';
import './convert';
import './assemble';
import './sensitivity';
