// Importing a command module registers it. One line per command.
import './train';
import './quantize';
import './inspect';
import './inspect-cost';
import './eval';
import './run';
import './bench';
import './qat-options';
import './convert';
import './assemble';
