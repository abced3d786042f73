/**
 * Estimated dynamic energy of one inference from the per-operation table
 * (energy-table.ts, sources there and in docs/NSOC.md):
 *   E = Σ_layers  ops · E_syn(weight bits, input activation bits)
 *              + (input events + output events) · E_event
 *              + neurons · E_neuron
 * where neurons = the layer's map size before pooling (every neuron is
 * evaluated once per inference). Static (leakage) power, the input transfer
 * and the host are not included.
 */
import { activityLayers, inputActivationBits, layerMaps, type ActivityInput } from './activity';
import { eventPj, neuronPj, synapticOpPj, type EnergyTable } from './energy-table';
import type { QuantizedModel } from './model';

export interface LayerEnergy {
  synapticJ: number;
  eventJ: number;
  neuronJ: number;
  totalJ: number;
}

export interface EnergyEstimate {
  table: string;
  perLayer: LayerEnergy[];
  totalJ: number;
}

const PJ = 1e-12;

export function estimateEnergy(model: QuantizedModel, activity: ActivityInput, table: EnergyTable): EnergyEstimate {
  const counts = activityLayers(activity);
  if (counts.length !== model.layers.length) throw new Error(`activity has ${counts.length} layers, the model ${model.layers.length}`);
  const inBits = inputActivationBits(model);
  const maps = layerMaps(model);
  const perEvent = eventPj(table);
  const perNeuron = neuronPj(table);
  const perLayer = model.layers.map((l, i): LayerEnergy => {
    const c = counts[i];
    const synapticJ = c.executedOps * synapticOpPj(table, l.weightBits, inBits[i]) * PJ;
    const eventJ = (c.inputEvents + c.outputEvents) * perEvent * PJ;
    const [h, w, ch] = maps[i].map;
    const neuronJ = h * w * ch * perNeuron * PJ;
    return { synapticJ, eventJ, neuronJ, totalJ: synapticJ + eventJ + neuronJ };
  });
  return { table: table.name, perLayer, totalJ: perLayer.reduce((s, l) => s + l.totalJ, 0) };
}
