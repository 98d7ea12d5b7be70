using Lstm.MLNet.Model.Persistence;
using Lstm.MLNet.Tests.Model.Persistence;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Forecasting;

/// <summary>
/// Issue 10: a checkpoint over an existing one on a full disk left the old file truncated to 4,096 bytes that no longer
/// loaded. <c>CheckPoint(ml, path)</c> writes through <see cref="AtomicFile"/>: a write failing part-way leaves the
/// previous checkpoint loadable, with its state.
/// </summary>
[TestClass]
public sealed class CheckpointAtomicityTests
{
    [TestMethod]
    public void ACheckpointThatFailsPartWay_LeavesThePreviousCheckpointLoadable()
    {
        var ml = new MLContext(seed: 1);
        var series = ForecastingTests.Seasonal(80);
        var options = new LstmForecastingOptions { InputColumnName = "Value", WindowSize = 12, Horizon = 3, HiddenSize = 8, MaxEpochs = 3, NumberOfThreads = 1, Seed = 2 };
        var engine = ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(series[..70])).CreateForecastingEngine();
        string folder = Path.Combine(Path.GetTempPath(), "lstm-checkpoint-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "forecaster.zip");
            engine.CheckPoint(ml, path);
            float[] saved = engine.Predict().Forecast;
            long savedLength = new FileInfo(path).Length;

            foreach (var observation in series[70..]) engine.Update(observation.Value);
            Assert.IsFalse(saved.SequenceEqual(engine.Predict().Forecast), "the engine's state moved on");
            // The same write CheckPoint(ml, path) does, on a disk that fills half-way through the file.
            Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, s => engine.CheckPoint(ml, s), s => new AtomicFileTests.FailingStream(s, savedLength / 2)));

            Assert.AreEqual(savedLength, new FileInfo(path).Length);
            var reloaded = (LstmForecastingTransformer)new MLContext(seed: 5).Model.Load(path, out _);
            CollectionAssert.AreEqual(saved, reloaded.CreateForecastingEngine().Predict().Forecast, "the previous checkpoint loads with its state");
            Assert.HasCount(1, Directory.GetFiles(folder), "no temporary file is left");

            engine.CheckPoint(ml, path);
            var current = (LstmForecastingTransformer)new MLContext(seed: 5).Model.Load(path, out _);
            CollectionAssert.AreEqual(engine.Predict().Forecast, current.CreateForecastingEngine().Predict().Forecast);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
