using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>The label's key values of a non-text label: class names, TrainingLabelValues in their own type, MapKeyToValue.</summary>
[TestClass]
public sealed class LabelKeyValuesTests
{
    private sealed class NumberedTopic
    {
        public string Text { get; set; } = "";
        public float Label { get; set; }
    }

    [TestMethod]
    public void FloatLabelKeyValues_NameTheClasses_AndAreTheScoresTrainingLabelValues()
    {
        var ml = new MLContext(seed: 1);
        var topics = SentimentData.Topics(120).ToArray();
        var names = topics.Select(t => t.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = topics.Select(t => new NumberedTopic { Text = t.Text, Label = 10.5f + names.IndexOf(t.Label) }).ToArray();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LstmText(FastOptions.Create(epochs: 1)))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        var lstm = model.OfType<LstmTextClassificationTransformer>().Single();

        var labelSchema = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).GetOutputSchema(ml.Data.LoadFromEnumerable(rows).Schema)["Label"];
        VBuffer<float> keyValues = default;
        labelSchema.GetKeyValues(ref keyValues);
        var expectedNames = keyValues.DenseValues().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        CollectionAssert.AreEqual(expectedNames, lstm.ClassNames.ToArray());
        CollectionAssert.Contains(expectedNames, "10.5");

        var score = model.Transform(ml.Data.LoadFromEnumerable(rows)).Schema["Score"];
        var trainingLabelValues = score.Annotations.Schema["TrainingLabelValues"];
        Assert.AreEqual(NumberDataViewType.Single, ((VectorDataViewType)trainingLabelValues.Type).ItemType);
        VBuffer<float> values = default;
        score.Annotations.GetValue("TrainingLabelValues", ref values);
        CollectionAssert.AreEqual(keyValues.DenseValues().ToArray(), values.DenseValues().ToArray());
    }
}
