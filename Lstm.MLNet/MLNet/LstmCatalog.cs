using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>The LSTM trainers in ML.NET's catalogs: <c>ml.BinaryClassification.Trainers.LstmText(...)</c>, <c>ml.MulticlassClassification.Trainers.LstmText(...)</c>.</summary>
public static class LstmCatalog
{
    /// <summary>An LSTM binary text classifier: Boolean label, text (or key-typed token) input; outputs Score, Probability, PredictedLabel.</summary>
    public static LstmEstimator LstmText(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, LstmTextClassifierOptions options)
        => Trainer(catalog, options, LstmTask.BinaryClassification);

    /// <summary>An LSTM binary text classifier with default options except the ones given.</summary>
    public static LstmEstimator LstmText(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string textColumnName = "Text", int maxEpochs = 10, int batchSize = 32, double learningRate = 3e-3,
        string scoreColumnName = "Score", string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel",
        IDataView? validationSet = null)
        => catalog.LstmText(new LstmTextClassifierOptions
        {
            LabelColumnName = labelColumnName, TextColumnName = textColumnName, MaxEpochs = maxEpochs, BatchSize = batchSize,
            LearningRate = learningRate, ScoreColumnName = scoreColumnName, ProbabilityColumnName = probabilityColumnName,
            PredictedLabelColumnName = predictedLabelColumnName, ValidationSet = validationSet,
        });

    /// <summary>An LSTM multiclass text classifier: key label, text (or key-typed token) input; outputs Score (class probabilities) and PredictedLabel (key).</summary>
    public static LstmEstimator LstmText(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, LstmTextClassifierOptions options)
        => Trainer(catalog, options, LstmTask.MulticlassClassification);

    /// <summary>The estimator of a catalog's trainer: the task fixed by the catalog, logging to the catalog's environment.</summary>
    private static LstmEstimator Trainer(IInternalCatalog catalog, LstmTextClassifierOptions options, LstmTask task)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new LstmEstimator(CatalogUtils.GetEnvironment(catalog), options, task);
    }

    /// <summary>An LSTM multiclass text classifier with default options except the ones given.</summary>
    public static LstmEstimator LstmText(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string textColumnName = "Text", int maxEpochs = 10, int batchSize = 32, double learningRate = 3e-3,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel", IDataView? validationSet = null)
        => catalog.LstmText(new LstmTextClassifierOptions
        {
            LabelColumnName = labelColumnName, TextColumnName = textColumnName, MaxEpochs = maxEpochs, BatchSize = batchSize,
            LearningRate = learningRate, ScoreColumnName = scoreColumnName, PredictedLabelColumnName = predictedLabelColumnName,
            ValidationSet = validationSet,
        });

    /// <summary>
    /// An LSTM sequence regressor: a float-vector input of T steps × <see cref="LstmSequenceRegressorOptions.FeaturesPerStep"/>
    /// values (T may vary by row), a Single label (Score: Single) or a known-size Single-vector label of future values (Score: a
    /// vector of the same size). <c>ml.Regression.Evaluate</c> works on a Single Score unchanged; <see cref="LstmForecastEvaluation"/>
    /// reports MAE, RMSE, MAPE and sMAPE per horizon step for a vector one.
    /// </summary>
    public static LstmEstimator LstmSequence(this RegressionCatalog.RegressionTrainers catalog, LstmSequenceRegressorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new LstmEstimator(CatalogUtils.GetEnvironment(catalog), options, LstmTask.Regression);
    }

    /// <summary>An LSTM sequence regressor with default options except the ones given.</summary>
    public static LstmEstimator LstmSequence(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int featuresPerStep = 1, int hiddenSize = 64,
        int numberOfLayers = 1, int maxEpochs = 100, string scoreColumnName = "Score", IDataView? validationSet = null)
        => catalog.LstmSequence(new LstmSequenceRegressorOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, FeaturesPerStep = featuresPerStep, HiddenSize = hiddenSize,
            NumberOfLayers = numberOfLayers, MaxEpochs = maxEpochs, ScoreColumnName = scoreColumnName, ValidationSet = validationSet,
        });
}
