using System.CommandLine;
using Lstm.MLNet.Samples.Common;

// Lstm.MLNet samples, one console app with sub-commands (Model Builder style: the training parts live in
// Classification/ and friends, the consumption part in Consumption/). The command line is Common/SampleCommands.cs;
// `--help` lists the commands and options. With no command, 'sentiment' runs. Texts to predict may start with '@'
// (a mention), so '@file' is not read as a response file.
return SampleCommands.Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).Invoke();
