import { useEffect, useState } from "preact/hooks";
import type { Deck, DeckConfig } from "../../../shared/model";
import { formatSteps, parseSteps } from "../../../shared/steps";
import { addPreset, deletePreset, setRolloverHour, updatePreset } from "../../lib/collection/presets";
import { Messages } from "../messages";
import { runConfirmed } from "./confirm";
import type { SectionProps } from "./context";
import { AddByName, PickList } from "./controls";
import { useAction } from "./use-action";

export function PresetsSection({ col, version, changed }: SectionProps) {
  const [presets, setPresets] = useState<DeckConfig[]>([]);
  const [decks, setDecks] = useState<Deck[]>([]);
  const [selectedId, setSelectedId] = useState<number>(1);
  const [rollover, setRollover] = useState(4);
  const action = useAction(changed);

  useEffect(() => {
    void (async () => {
      setPresets((await col.db.getAll("deckconfigs")).sort((a, b) => a.id - b.id));
      // Filtered decks use no preset: their cards keep their home decks' options.
      setDecks((await col.db.getAll("decks")).filter((d) => !d.filter).sort((a, b) => a.name.localeCompare(b.name)));
      setRollover(await col.rolloverHour());
    })();
  }, [col, version]);

  const selected = presets.find((p) => p.id === selectedId) ?? presets[0];
  return (
    <div class="two-columns">
      <div class="stack side-list">
        <PickList
          label="Options presets"
          items={presets}
          selectedId={selected?.id ?? null}
          onSelect={setSelectedId}
          detail={(p) => `${decks.filter((d) => d.configId === p.id).length} decks`}
        />
        <AddByName
          stacked
          name="newPreset"
          placeholder="New preset (a copy of the selected one)"
          button="Add preset"
          onAdd={async (name) => {
            const added = await action.run(
              () => addPreset(col, name, selected?.id),
              (p) => `Added "${p.name}".`,
            );
            if (added) setSelectedId(added.id);
            return added;
          }}
        />
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            const hour = Number(new FormData(e.currentTarget).get("rollover"));
            void action.run(
              () => setRolloverHour(col, hour),
              (h) => `A new day now starts at ${h}:00.`,
            );
          }}
        >
          <label>
            Next day starts at (hours past midnight, for the whole collection)
            <input
              name="rollover"
              type="number"
              min={0}
              max={23}
              step={1}
              key={rollover}
              defaultValue={String(rollover)}
            />
          </label>
          <button type="submit" class="secondary">
            Save
          </button>
        </form>
      </div>
      <div class="stack">
        <Messages error={action.error} notice={action.notice} />
        {selected && (
          <PresetForm
            key={`${selected.id}-${selected.mtime}`}
            preset={selected}
            usedBy={decks.filter((d) => d.configId === selected.id)}
            onSave={(edit) =>
              action.run(
                () => updatePreset(col, selected.id, edit),
                () => "Saved.",
              )
            }
            onDelete={() =>
              action.run(
                () => runConfirmed((f) => deletePreset(col, selected.id, f)),
                (n) => `Deleted; ${n} deck(s) now use the default preset.`,
              )
            }
            onError={action.setError}
          />
        )}
      </div>
    </div>
  );
}

interface FormProps {
  preset: DeckConfig;
  usedBy: Deck[];
  onSave: (edit: Partial<DeckConfig>) => void;
  onDelete: () => void;
  onError: (message: string) => void;
}

function PresetForm({ preset, usedBy, onSave, onDelete, onError }: FormProps) {
  const [form, setForm] = useState({
    name: preset.name,
    newPerDay: String(preset.newPerDay),
    reviewsPerDay: String(preset.reviewsPerDay),
    learnSteps: formatSteps(preset.learnSteps),
    relearnSteps: formatSteps(preset.relearnSteps),
    desiredRetention: String(preset.desiredRetention),
    maxInterval: String(preset.maxInterval),
    leechThreshold: String(preset.leechThreshold),
  });
  const [leechAction, setLeechAction] = useState(preset.leechAction);
  const field = (key: keyof typeof form, label: string, hint?: string) => (
    <label>
      {label}
      <input name={key} value={form[key]} onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })} />
      {hint && <span class="muted hint">{hint}</span>}
    </label>
  );
  const submit = (e: Event) => {
    e.preventDefault();
    const learn = parseSteps(form.learnSteps);
    if (!learn.ok) return onError(`Learning steps: ${learn.error}`);
    const relearn = parseSteps(form.relearnSteps);
    if (!relearn.ok) return onError(`Relearning steps: ${relearn.error}`);
    const numbers = {
      newPerDay: "New cards per day",
      reviewsPerDay: "Maximum reviews per day",
      desiredRetention: "Desired retention",
      maxInterval: "Maximum interval",
      leechThreshold: "Leech threshold",
    } as const;
    for (const [key, label] of Object.entries(numbers)) {
      if (
        !Number.isFinite(Number(form[key as keyof typeof numbers])) ||
        form[key as keyof typeof numbers].trim() === ""
      ) {
        return onError(`${label}: "${form[key as keyof typeof numbers]}" is not a number.`);
      }
    }
    onSave({
      name: form.name,
      newPerDay: Number(form.newPerDay),
      reviewsPerDay: Number(form.reviewsPerDay),
      learnSteps: learn.value,
      relearnSteps: relearn.value,
      desiredRetention: Number(form.desiredRetention),
      maxInterval: Number(form.maxInterval),
      leechThreshold: Number(form.leechThreshold),
      leechAction,
    });
  };
  return (
    <form class="stack preset-form" onSubmit={submit}>
      {field("name", "Name")}
      <div class="grid-2">
        {field("newPerDay", "New cards per day")}
        {field("reviewsPerDay", "Maximum reviews per day")}
        {field("learnSteps", "Learning steps", "e.g. 1m 10m")}
        {field("relearnSteps", "Relearning steps", "e.g. 10m")}
        {field("desiredRetention", "Desired retention", "0.70 to 0.99")}
        {field("maxInterval", "Maximum interval (days)")}
        {field("leechThreshold", "Leech threshold (lapses)")}
        <label>
          Leech action
          <select
            name="leechAction"
            value={leechAction}
            onChange={(e) => setLeechAction(e.currentTarget.value === "suspend" ? "suspend" : "tag")}
          >
            <option value="tag">Tag only</option>
            <option value="suspend">Suspend card</option>
          </select>
        </label>
      </div>
      <p class="muted">
        Used by: {usedBy.length ? usedBy.map((d) => d.name).join(", ") : "no deck"} (choose a deck's preset under
        Decks).
      </p>
      <div class="row">
        <button type="submit">Save</button>
        {preset.id !== 1 && (
          <button type="button" class="danger" onClick={onDelete}>
            Delete preset
          </button>
        )}
      </div>
    </form>
  );
}
