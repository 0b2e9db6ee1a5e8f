import { InfoCard } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import VisibilityIcon from '@material-ui/icons/Visibility';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { changesApiRef } from '../../api/ChangesApi';
import { changeRouteRef } from '../../routes';
import { errorMessage } from '../shared/errorMessage';
import {
  buildChangeInput,
  ChangeDraft,
  DraftErrors,
  emptyReplaceStep,
  emptySetFieldStep,
  initialDraft,
} from './draft';
import { readPrefill } from './prefill';
import { RecipeStepsView } from './RecipeStepsView';
import { StepEditor } from './StepEditor';
import { TargetsEditor } from './TargetsEditor';

/** A choice's title with a line below it. */
function ChoiceLabel(props: { title: string; detail?: string }) {
  return (
    <Box py={0.5}>
      <Typography variant="body2">{props.title}</Typography>
      {props.detail && (
        <Typography variant="caption" color="textSecondary" component="p">
          {props.detail}
        </Typography>
      )}
    </Box>
  );
}

/**
 * A new change: title, description, targets, recipe steps (or, when
 * operators configured some, a recipe of `changes.recipes`) and concurrency.
 * "Preview" creates it (nothing is pushed yet) and opens its page, where the
 * diffs appear as the previews finish.
 */
export function NewChangeForm() {
  const api = useApi(changesApiRef);
  const navigate = useNavigate();
  const changeRoute = useRouteRef(changeRouteRef);
  const location = useLocation();
  const [prefill] = useState(() => readPrefill(location.state));
  const [draft, setDraft] = useState<ChangeDraft>(() => initialDraft(prefill));
  const [errors, setErrors] = useState<DraftErrors>({});
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string>();
  const set = (patch: Partial<ChangeDraft>) =>
    setDraft(d => ({ ...d, ...patch }));
  // the recipes configured in changes.recipes; the form works without them
  const configured = useAsync(
    async () => (await api.listRecipes()) ?? [],
    [api],
  );
  const recipes = configured.value ?? [];
  const chosen = recipes.find(r => r.name === draft.recipeName);

  const submit = async () => {
    const built = buildChangeInput(draft);
    setSubmitError(undefined);
    if (built.errors) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const change = await api.createChange(built.input);
      navigate(changeRoute({ id: change.id }));
    } catch (e) {
      setSubmitError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <InfoCard title="New change">
      <form
        noValidate
        aria-label="New change"
        style={{ display: 'flex', flexDirection: 'column', gap: 20 }}
        onSubmit={e => {
          e.preventDefault();
          submit();
        }}
      >
        {prefill?.entityRefs && (
          <Alert severity="info">
            Started from a search: its {prefill.entityRefs.length} services are
            the targets, and its query is the first step&apos;s pattern.
          </Alert>
        )}
        <TextField
          id="new-change-title"
          label="Title"
          required
          value={draft.title}
          error={!!errors.title}
          helperText={
            errors.title ?? 'Also the commit message and pull request title'
          }
          onChange={e => set({ title: e.target.value })}
          fullWidth
        />
        <TextField
          id="new-change-description"
          label="Description"
          value={draft.description}
          helperText="Why the change is made; the pull requests' description (Markdown)"
          onChange={e => set({ description: e.target.value })}
          multiline
          minRows={3}
          fullWidth
        />
        <TargetsEditor
          targets={draft.targets}
          error={errors.targets}
          onChange={targets => set({ targets })}
        />
        <Box display="flex" flexDirection="column" style={{ gap: 12 }}>
          <Typography variant="subtitle1">Recipe</Typography>
          {configured.error && (
            <Alert severity="warning">
              Could not load the configured recipes:{' '}
              {errorMessage(configured.error)}
            </Alert>
          )}
          {recipes.length > 0 && (
            <RadioGroup
              aria-label="Recipe"
              name="recipe"
              value={draft.recipeName}
              onChange={e => set({ recipeName: e.target.value })}
            >
              <FormControlLabel
                value=""
                control={<Radio color="primary" />}
                label={
                  <ChoiceLabel
                    title="Steps"
                    detail="Write replace and set-field steps below"
                  />
                }
              />
              {recipes.map(r => (
                <FormControlLabel
                  key={r.name}
                  value={r.name}
                  control={<Radio color="primary" />}
                  label={<ChoiceLabel title={r.title} detail={r.description} />}
                />
              ))}
            </RadioGroup>
          )}
          {chosen ? (
            <>
              <Typography variant="body2" color="textSecondary">
                The recipe <code>{chosen.name}</code>, configured by the
                portal&apos;s operators; its steps are copied into the change.
              </Typography>
              <RecipeStepsView steps={chosen.steps} />
            </>
          ) : (
            <>
              {draft.steps.map((step, i) => (
                <StepEditor
                  key={i}
                  index={i}
                  step={step}
                  errors={errors}
                  onChange={s =>
                    set({ steps: draft.steps.map((x, j) => (j === i ? s : x)) })
                  }
                  onRemove={() =>
                    set({ steps: draft.steps.filter((_, j) => j !== i) })
                  }
                />
              ))}
              <Box display="flex" style={{ gap: 8 }}>
                <Button
                  startIcon={<AddIcon />}
                  onClick={() =>
                    set({ steps: [...draft.steps, emptyReplaceStep()] })
                  }
                >
                  Add replace step
                </Button>
                <Button
                  startIcon={<AddIcon />}
                  onClick={() =>
                    set({ steps: [...draft.steps, emptySetFieldStep()] })
                  }
                >
                  Add set-field step
                </Button>
              </Box>
            </>
          )}
          {errors.steps && <Alert severity="error">{errors.steps}</Alert>}
        </Box>
        <Box display="flex" style={{ gap: 12 }}>
          <TextField
            id="new-change-concurrency"
            label="Concurrency"
            type="number"
            value={draft.concurrency}
            error={!!errors.concurrency}
            helperText={errors.concurrency ?? 'Repositories worked on at once'}
            onChange={e => set({ concurrency: e.target.value })}
            inputProps={{ min: 1, max: 100 }}
            style={{ width: 200 }}
          />
          <TextField
            id="new-change-branch"
            label="Branch"
            placeholder="fleetdeck/change-<id>"
            value={draft.branch}
            error={!!errors.branch}
            helperText={errors.branch ?? 'Optional'}
            onChange={e => set({ branch: e.target.value })}
            style={{ minWidth: 300 }}
          />
        </Box>
        {errors.form && <Alert severity="error">{errors.form}</Alert>}
        {Object.keys(errors).length > 0 && (
          <Alert severity="error">
            Fix the fields marked in red, then preview again.
          </Alert>
        )}
        {submitError && (
          <Alert severity="error">
            Could not create the change: {submitError}
          </Alert>
        )}
        <Box>
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={busy}
            startIcon={<VisibilityIcon />}
          >
            Preview
          </Button>
          <Typography
            variant="caption"
            color="textSecondary"
            style={{ marginLeft: 12 }}
          >
            Computes the diff in every repository; nothing is pushed until you
            apply.
          </Typography>
        </Box>
      </form>
    </InfoCard>
  );
}
