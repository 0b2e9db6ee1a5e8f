import { Route, Routes } from 'react-router-dom';
import { ChangePage } from './ChangePage/ChangePage';
import { ChangesLayout } from './ChangesLayout/ChangesLayout';
import { ChangesList } from './ChangesList/ChangesList';
import { NewChangeForm } from './NewChange/NewChangeForm';
import { SearchTab } from './SearchTab/SearchTab';

/** Routes under `/changes`: the list, search, the new-change form and `/:id`. */
export function Router() {
  return (
    <Routes>
      <Route element={<ChangesLayout />}>
        <Route path="/" element={<ChangesList />} />
        <Route path="/search" element={<SearchTab />} />
        <Route path="/new" element={<NewChangeForm />} />
      </Route>
      <Route path="/:id" element={<ChangePage />} />
    </Routes>
  );
}
