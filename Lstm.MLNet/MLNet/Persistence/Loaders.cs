using Lstm.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

// How ML.NET finds the loader of a saved model, in one place: ModelLoadContext reads the loader signature and this
// assembly's name from the zip, loads the assembly and registers these attributes (see MLNetInternals.cs). Each
// loader's factories (Create) and format are in its transformer's file.

[assembly: LoadableClass(typeof(LstmTextClassificationTransformer), null, typeof(SignatureLoadModel),
    LstmTextClassificationTransformer.UserName, LstmTextClassificationTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LstmTextClassificationTransformer), null, typeof(SignatureLoadRowMapper),
    LstmTextClassificationTransformer.UserName, LstmTextClassificationTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(LstmSequenceRegressionTransformer), null, typeof(SignatureLoadModel),
    LstmSequenceRegressionTransformer.UserName, LstmSequenceRegressionTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LstmSequenceRegressionTransformer), null, typeof(SignatureLoadRowMapper),
    LstmSequenceRegressionTransformer.UserName, LstmSequenceRegressionTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(LstmForecastingTransformer), null, typeof(SignatureLoadModel),
    LstmForecastingTransformer.UserName, LstmForecastingTransformer.LoaderSignature)]
