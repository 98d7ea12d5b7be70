// The compute core's LSTM class is LstmStack: inside namespace Lstm.MLNet a class named `Lstm` would be
// shadowed by the root namespace. The benchmarks name it through this alias so that a rename stays one line.
global using LstmLayer = Lstm.MLNet.Compute.LstmStack;
